import Dispatch
import LambdaHTTP
import Logging
import Synchronization
import TextEncodings

/// Where the runtime's blocking Runtime API calls run: on the calling thread when one invocation
/// runs at a time (Lambda freezes the process while it waits, so nothing else could use the
/// thread), on a poller's own queue when several do, so that pollers waiting in `/next` never
/// hold the threads the handlers need.
public struct BlockingCalls: Sendable {
    let queue: DispatchQueue?

    public static let inline = BlockingCalls(queue: nil)

    public static func dedicatedQueue(label: String) -> BlockingCalls {
        BlockingCalls(queue: DispatchQueue(label: label))
    }

    /// Runs `body`, which blocks for long (a streamed response's POST, the extension's long-poll),
    /// on a serial queue of its own. libdispatch gives a serial queue a thread at once; the
    /// global and concurrent queues share the cooperative pool's width (the CPU count), and with
    /// its threads blocked, a new one came only after libdispatch's one-second check (strace).
    static func runLong(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue(label: "lambda-runtime-long-call").async(execute: body)
    }

    /// Whether calls run on the calling thread. Callers then call directly rather than through
    /// ``run(_:)``: its escaping closure is a heap allocation per call, two per invocation.
    var isInline: Bool { queue == nil }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws(RuntimeAPIError) -> T) async throws(RuntimeAPIError)
        -> T
    {
        guard let queue else { return try body() }
        let result: Result<T, RuntimeAPIError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(RuntimeAPIError) -> T in try body() }) }
        }
        return try result.get()
    }
}

/// Answers one invocation through the Runtime API. A report Lambda refuses (an oversized
/// payload, an expired request id) is logged and the runtime goes on: the invocation is lost to
/// Lambda's retry policy. An API that cannot be reached is kept as `failure`, and the loop stops.
final class RuntimeResponder: InvocationResponder {
    let api: any RuntimeAPI
    let requestID: String
    /// Whose logger says what the Runtime API refused; made only then.
    let context: LambdaContext
    let calls: BlockingCalls
    /// Nothing waits on it, so a `Mutex`: no allocation of its own for each invocation.
    private let failureState = Mutex<RuntimeAPIError?>(nil)

    init(api: any RuntimeAPI, requestID: String, context: LambdaContext, calls: BlockingCalls) {
        self.api = api
        self.requestID = requestID
        self.context = context
        self.calls = calls
    }

    var failure: RuntimeAPIError? { failureState.withLock { $0 } }

    func respond(_ body: [UInt8]) async throws {
        try await deliver(.response(body))
    }

    func reportError(_ error: InvocationError) async throws {
        try await deliver(.error(error))
    }

    func startStream(contentType: String) async throws -> any ResponseStream {
        let body = ChunkedBody()
        let (api, requestID) = (self.api, self.requestID)
        // The POST lasts as long as the stream: it runs on a thread of its own while the handler writes.
        let sending = Task.detached { () -> Result<Void, RuntimeAPIError> in
            await withCheckedContinuation { continuation in
                BlockingCalls.runLong {
                    continuation.resume(
                        returning: Result { () throws(RuntimeAPIError) in
                            try api.streamResponse(requestID: requestID, contentType: contentType, body: body)
                        })
                }
            }
        }
        return Stream(responder: self, body: body, sending: sending)
    }

    /// What a buffered invocation reports.
    private enum Report: Sendable {
        case response([UInt8])
        case error(InvocationError)
    }

    private func deliver(_ report: Report) async throws {
        do {
            if calls.isInline {
                try send(report)
            } else {
                try await calls.run { [self] () throws(RuntimeAPIError) in try send(report) }
            }
        } catch {
            try settle(error)
        }
    }

    private func send(_ report: Report) throws(RuntimeAPIError) {
        switch report {
        case .response(let body): try api.respond(requestID: requestID, body: body)
        case .error(let error): try api.reportError(requestID: requestID, error)
        }
    }

    /// A refused report is logged; anything else is the loop's to stop on.
    fileprivate func settle(_ error: RuntimeAPIError) throws {
        if case .unexpectedStatus(let path, let status, let body) = error {
            context.logger.error(
                "the Runtime API refused the report",
                metadata: ["path": "\(path)", "status": "\(status)", "body": "\(body)"])
            return
        }
        failureState.withLock { $0 = $0 ?? error }
        throw error
    }

    private struct Stream: ResponseStream {
        let responder: RuntimeResponder
        let body: ChunkedBody
        let sending: Task<Result<Void, RuntimeAPIError>, Never>

        func write(_ bytes: [UInt8]) async throws {
            guard body.write(bytes) else {
                // The POST ended early: say why.
                if case .failure(let error) = await sending.value { try responder.settle(error) }
                throw InvocationResponse.AlreadyAnswered(description: "the response stream was closed")
            }
        }

        func finish() async throws {
            body.finish()
            try await end()
        }

        func fail(_ error: InvocationError) async throws {
            body.finish(trailers: [
                "Lambda-Runtime-Function-Error-Type": error.errorType,
                "Lambda-Runtime-Function-Error-Body": Base64.encode(RuntimeAPIClient.encode(error)),
            ])
            try await end()
        }

        private func end() async throws {
            if case .failure(let error) = await sending.value { try responder.settle(error) }
        }
    }
}
