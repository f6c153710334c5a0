import JSONCoding
import LambdaHTTP

/// An error that chooses the `errorType` Lambda reports for it (what a caller, the
/// `X-Amz-Function-Error` document and a metric filter see), instead of its Swift type name.
/// The message is the error's description.
public protocol LambdaReportableError: Error {
    var errorType: String { get }
}

/// The body Lambda expects on `/invocation/{id}/error` and `/init/error`.
///
/// Throw one from a handler to choose the `errorType` a caller sees; any other error is
/// reported with its Swift type name as `errorType` and its description as `errorMessage`.
public struct InvocationError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: [String]

    public init(type: String, message: String, stackTrace: [String] = []) {
        self.errorType = type
        self.errorMessage = message
        self.stackTrace = stackTrace
    }

    /// How the runtime reports an arbitrary thrown error: an ``InvocationError`` as it is, a
    /// ``LambdaReportableError`` with the type it names, anything else with its Swift type name.
    public init(_ error: any Error) {
        if let error = error as? InvocationError {
            self = error
        } else if let error = error as? any LambdaReportableError {
            self.init(type: error.errorType, message: String(describing: error))
        } else {
            self.init(type: String(describing: type(of: error)), message: String(describing: error))
        }
    }

    public var description: String { "\(errorType): \(errorMessage)" }

    /// Decodes leniently: runtimes in other languages omit fields or send plain text.
    public init(reported body: [UInt8], typeHeader: String?) {
        if let decoded = try? JSON.decode(Lenient.self, from: body) {
            self.init(
                type: decoded.errorType ?? typeHeader ?? "Unhandled",
                message: decoded.errorMessage ?? "",
                stackTrace: decoded.stackTrace ?? [])
        } else {
            self.init(type: typeHeader ?? "Unhandled", message: String(decoding: body, as: UTF8.self))
        }
    }

    private struct Lenient: Decodable {
        var errorType: String?
        var errorMessage: String?
        var stackTrace: [String]?
    }
}

/// Limits Lambda enforces, which the runtime checks before Lambda does so that the
/// caller gets a precise error instead of a truncated response.
public enum LambdaLimits {
    /// The synchronous invocation response limit ("6 MB"), in bytes, as Lambda counts it.
    public static let maximumResponseSize = 6_291_556
    /// A streamed response's limit.
    public static let maximumStreamedResponseSize = 200 << 20
}

/// Runs one invocation through a handler: the single path shared by the runtime loop
/// and the testing kit, so that what a unit test sees is what Lambda would get.
public enum InvocationPipeline {
    /// Runs the handler, and reports what it left unsaid: an error thrown before any response
    /// goes to `/error`, one thrown mid-stream into the stream's trailers, one thrown after the
    /// response was sent only to the log (Lambda has its answer). Failures of the responder
    /// itself are the responder's to keep.
    public static func run(
        _ handler: some InvocationHandler, event: [UInt8], context: LambdaContext, responder: any InvocationResponder
    ) async {
        let response = InvocationResponse(responder: responder)
        do {
            try await handler.run(event, response: response, context: context)
        } catch {
            let reported = InvocationError(error)
            context.logger.error(
                "invocation failed",
                metadata: ["errorType": "\(reported.errorType)", "errorMessage": "\(reported.errorMessage)"])
            let delivered = (try? await response.fail(reported)) ?? true
            if !delivered {
                context.logger.error("the error came after the response was sent; the caller has the response")
            }
        }
    }

    /// A buffered handler's outcome, as Lambda would get it.
    public static func invoke(
        _ handler: some RawLambdaHandler, event: [UInt8], context: LambdaContext
    ) async -> InvocationOutcome {
        await invoke(BufferedInvocation(handler), event: event, context: context)
    }

    /// Any handler's outcome, streamed responses recorded whole.
    public static func invoke(
        _ handler: some InvocationHandler, event: [UInt8], context: LambdaContext
    ) async -> InvocationOutcome {
        let recorder = RecordingResponder()
        await run(handler, event: event, context: context, responder: recorder)
        return recorder.outcome
    }
}

/// What one invocation produced: the response payload, the error to report, or a stream.
public enum InvocationOutcome: Sendable, Equatable {
    case response([UInt8])
    case error(InvocationError)
    case streamed(StreamedResponse)
    /// The handler answered nothing (only a background-processing handler can).
    case none
}

/// A streamed response as the caller received it.
public struct StreamedResponse: Sendable, Equatable {
    public var contentType: String
    /// Each `write`, in order.
    public var chunks: [[UInt8]]
    /// The error sent in the trailers, when the handler failed mid-stream.
    public var error: InvocationError?
    public var finished: Bool

    public var body: [UInt8] { chunks.flatMap { $0 } }
}

/// Keeps what a handler answered, in memory: the testing kit's responder.
public final class RecordingResponder: InvocationResponder {
    private let state = Guarded(InvocationOutcome.none)

    public init() {}

    public var outcome: InvocationOutcome { state.update { $0 } }

    public func respond(_ body: [UInt8]) async throws { state.update { $0 = .response(body) } }

    public func reportError(_ error: InvocationError) async throws { state.update { $0 = .error(error) } }

    public func startStream(contentType: String) async throws -> any ResponseStream {
        state.update {
            $0 = .streamed(StreamedResponse(contentType: contentType, chunks: [], error: nil, finished: false))
        }
        return Stream(recorder: self)
    }

    private struct Stream: ResponseStream {
        let recorder: RecordingResponder

        func write(_ bytes: [UInt8]) async throws {
            recorder.state.update { outcome in
                if case .streamed(var stream) = outcome {
                    stream.chunks.append(bytes)
                    outcome = .streamed(stream)
                }
            }
        }

        func finish() async throws { end(error: nil) }

        func fail(_ error: InvocationError) async throws { end(error: error) }

        private func end(error: InvocationError?) {
            recorder.state.update { outcome in
                if case .streamed(var stream) = outcome {
                    stream.finished = true
                    stream.error = error
                    outcome = .streamed(stream)
                }
            }
        }
    }
}
