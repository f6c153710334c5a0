import JSONCoding
import LambdaHTTP
import Synchronization

/// Where one invocation's result goes: Lambda's Runtime API in a bootstrap, a recorder in a
/// unit test. An invocation answers exactly once: a buffered response, an error, or a stream.
public protocol InvocationResponder: Sendable {
    /// Sends the whole response.
    func respond(_ body: [UInt8]) async throws
    /// Reports the invocation failed; only before any response byte was sent.
    func reportError(_ error: InvocationError) async throws
    /// Starts a response sent in pieces as they are written (`Transfer-Encoding: chunked`).
    func startStream(contentType: String) async throws -> any ResponseStream
}

/// A response on its way, chunk by chunk.
public protocol ResponseStream: Sendable {
    /// Sends `bytes` now. Waits while the connection is behind by more than a megabyte.
    func write(_ bytes: [UInt8]) async throws
    /// Ends the response.
    func finish() async throws
    /// Ends the response with an error: Lambda's `Lambda-Runtime-Function-Error-Type` and
    /// `-Error-Body` trailers, since the status was sent with the first byte.
    func fail(_ error: InvocationError) async throws
}

/// A streamed response written while the handler runs, as a `StreamingLambdaHandler` sees it.
public struct LambdaResponseStreamWriter: Sendable {
    let state: InvocationResponse

    /// The content type of the Function URL and API Gateway streaming integration: a JSON prelude
    /// with the status, headers and cookies, then 8 NUL bytes, then the body.
    public static let httpIntegrationContentType = "application/vnd.awslambda.http-integration-response"

    /// Writes the HTTP status, headers and cookies a Function URL or API Gateway answers with.
    /// Call it before the first `write`; without it the response is `application/octet-stream`.
    public func writeStatusAndHeaders(
        statusCode: Int = 200, headers: [String: String] = [:], cookies: [String] = []
    ) async throws {
        var prelude = "{\"statusCode\":\(statusCode),\"headers\":{"
        for (index, (name, value)) in headers.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { prelude += "," }
            JSONText.appendString(name, to: &prelude)
            prelude += ":"
            JSONText.appendString(value, to: &prelude)
        }
        prelude += "},\"cookies\":["
        for (index, cookie) in cookies.enumerated() {
            if index > 0 { prelude += "," }
            JSONText.appendString(cookie, to: &prelude)
        }
        prelude += "]}"
        let stream = try await state.stream(contentType: Self.httpIntegrationContentType, mustBeNew: true)
        try await stream.write(Array(prelude.utf8) + [UInt8](repeating: 0, count: 8))
    }

    /// Sends `bytes` to the caller now.
    public func write(_ bytes: some Collection<UInt8>) async throws {
        guard !bytes.isEmpty else { return }
        try await state.stream(contentType: "application/octet-stream", mustBeNew: false).write(Array(bytes))
    }

    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }

    /// Ends the response; the handler may go on working (the next event waits for it). Returning
    /// from the handler finishes the response too.
    public func finish() async throws {
        try await state.finish()
    }
}

/// The answer of a `LambdaWithBackgroundProcessingHandler`: `write` sends the response at once,
/// and the handler may go on working after it.
public struct LambdaResponseWriter<Output: Encodable & Sendable>: Sendable {
    let state: InvocationResponse
    let encode: @Sendable (Output) throws -> [UInt8]

    public func write(_ output: Output) async throws {
        try await state.respond(try encode(output))
    }
}

/// One invocation's answer, as far as it went: so that it answers once, and the pipeline knows what is
/// left to do when the handler returns or throws.
public final class InvocationResponse: Sendable {
    enum Phase: Sendable {
        case pending
        case responded
        case streaming(any ResponseStream)
        case finished
    }

    let responder: any InvocationResponder
    /// Nothing waits on it, so a `Mutex`: a `Guarded` cost a mutex and a condition allocated,
    /// initialised and destroyed, and a broadcast on every access, for every invocation.
    private let phase: Mutex<Phase>

    init(responder: any InvocationResponder) {
        self.responder = responder
        self.phase = Mutex(.pending)
    }

    var current: Phase { phase.withLock { $0 } }

    struct AlreadyAnswered: Error, CustomStringConvertible {
        var description: String
    }

    func respond(_ body: [UInt8]) async throws {
        try claim(for: "a response")
        guard body.count <= LambdaLimits.maximumResponseSize else {
            phase.withLock { $0 = .pending }
            throw InvocationError(
                type: "Function.ResponseSizeTooLarge",
                message:
                    "Response payload size (\(body.count) bytes) exceeded maximum allowed payload size (\(LambdaLimits.maximumResponseSize) bytes)."
            )
        }
        try await responder.respond(body)
    }

    func reportError(_ error: InvocationError) async throws {
        try claim(for: "an error")
        try await responder.reportError(error)
    }

    /// The open stream, started on first use.
    func stream(contentType: String, mustBeNew: Bool) async throws -> any ResponseStream {
        let existing: (any ResponseStream)? = try phase.withLock { phase in
            switch phase {
            case .pending:
                phase = .responded  // claimed while the stream starts
                return nil
            case .streaming(let stream) where !mustBeNew:
                return stream
            case .streaming:
                throw AlreadyAnswered(
                    description: "the status and headers must come before the first byte of the stream")
            case .responded, .finished:
                throw AlreadyAnswered(description: "the invocation was already answered")
            }
        }
        if let existing { return existing }
        let stream = try await responder.startStream(contentType: contentType)
        phase.withLock { $0 = .streaming(stream) }
        return stream
    }

    func finish() async throws {
        let stream: (any ResponseStream)? = phase.withLock { phase in
            guard case .streaming(let stream) = phase else { return nil }
            phase = .finished
            return stream
        }
        if let stream {
            try await stream.finish()
        } else if case .pending = current {
            // A streaming handler that wrote nothing: an empty stream, so the caller is answered.
            let empty = try await self.stream(contentType: "application/octet-stream", mustBeNew: false)
            phase.withLock { $0 = .finished }
            try await empty.finish()
        }
    }

    /// After the handler threw: report the error the way the state still allows.
    func fail(_ error: InvocationError) async throws -> Bool {
        let next: Phase = phase.withLock { phase in
            let before = phase
            if case .streaming = phase { phase = .finished }
            if case .pending = phase { phase = .responded }
            return before
        }
        switch next {
        case .pending:
            try await responder.reportError(error)
            return true
        case .streaming(let stream):
            try await stream.fail(error)
            return true
        case .responded, .finished:
            return false
        }
    }

    private func claim(for what: String) throws {
        try phase.withLock { phase in
            guard case .pending = phase else {
                throw AlreadyAnswered(description: "cannot send \(what): the invocation was already answered")
            }
            phase = .responded
        }
    }
}
