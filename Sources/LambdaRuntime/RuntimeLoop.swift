import LambdaHTTP
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a runtime stopped. Lambda expects a runtime in either state to exit non-zero, which
/// ``Lambda`` does; the loop itself never exits, so tests can drive it to each of these.
public enum RuntimeStop: Error, Equatable, CustomStringConvertible {
    /// The init phase threw; the error was reported to `/init/error` (or reporting it failed:
    /// then `reportFailure` says why).
    case initFailed(InvocationError, reportFailure: String?)
    /// The Runtime API cannot be talked to any more.
    case runtimeAPIFailed(String)

    public var description: String {
        switch self {
        case .initFailed(let error, nil): "init failed: \(error)"
        case .initFailed(let error, let reportFailure?):
            "init failed: \(error); reporting it failed too: \(reportFailure)"
        case .runtimeAPIFailed(let reason): "runtime stopped: \(reason)"
        }
    }
}

/// The Runtime API loop: init once, then get an event, handle it, report, until the API fails.
public struct RuntimeLoop: Sendable {
    public let api: any RuntimeAPI
    public var function: FunctionConfiguration { invocationDefaults.function }
    public let environment: [String: String]
    public var logHandler: LambdaLogHandler { invocationDefaults.logHandler }
    /// Whether to export each invocation's trace id as `_X_AMZN_TRACE_ID`, as Lambda's runtimes
    /// do for SDKs that read it. Only right when one invocation runs at a time in the process.
    public var exportsTraceID: Bool
    public var calls: BlockingCalls
    /// What the init phase registered to run when Lambda stops the environment.
    public let shutdownHooks: ShutdownHooks
    private let traceIDVariable = TraceIDVariable()
    /// The function's configuration and the log handler, made once and shared by every context.
    private let invocationDefaults: InvocationDefaults

    public init(
        api: any RuntimeAPI, environment: [String: String], logHandler: LambdaLogHandler, exportsTraceID: Bool = true,
        calls: BlockingCalls = .inline, shutdownHooks: ShutdownHooks = ShutdownHooks()
    ) {
        self.api = api
        self.environment = environment
        self.exportsTraceID = exportsTraceID
        self.calls = calls
        self.shutdownHooks = shutdownHooks
        self.invocationDefaults = InvocationDefaults(
            function: FunctionConfiguration(environment: environment), logHandler: logHandler)
    }

    var logger: Logger {
        Logger(label: "lambda-runtime") { [logHandler] _ in logHandler }
    }

    /// Builds the handler, reporting an init error to Lambda when that throws.
    public func initialize<Handler: Sendable>(
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async throws(RuntimeStop) -> Handler {
        do {
            return try await makeHandler(
                LambdaInitContext(
                    function: function, environment: environment, logger: logger, shutdownHooks: shutdownHooks))
        } catch {
            let reported = InvocationError(error)
            logger.critical(
                "init failed",
                metadata: ["errorType": "\(reported.errorType)", "errorMessage": "\(reported.errorMessage)"])
            do {
                try api.reportInitError(reported)
            } catch {
                throw .initFailed(reported, reportFailure: error.description)
            }
            throw .initFailed(reported, reportFailure: nil)
        }
    }

    /// Serves invocations until the Runtime API fails, and says why it stopped.
    public func run(_ handler: some InvocationHandler) async -> RuntimeStop {
        while true {
            do {
                try await serveOne(handler)
            } catch {
                return error
            }
        }
    }

    public func run(_ handler: some RawLambdaHandler) async -> RuntimeStop {
        await run(BufferedInvocation(handler))
    }

    /// One turn: `/next`, the handler and its answer. The next `/next` waits for the handler to
    /// return, whatever it answered before: work after the response belongs to this invocation.
    public func serveOne(_ handler: some InvocationHandler) async throws(RuntimeStop) {
        let invocation: Invocation
        do {
            let api = self.api
            invocation =
                if calls.isInline {
                    try api.next()
                } else {
                    try await calls.run { () throws(RuntimeAPIError) in try api.next() }
                }
        } catch {
            throw .runtimeAPIFailed(error.description)
        }
        if exportsTraceID { traceIDVariable.set(invocation.traceID) }
        let context = LambdaContext(invocation, defaults: invocationDefaults)
        let responder = RuntimeResponder(api: api, requestID: invocation.requestID, context: context, calls: calls)
        await InvocationTrace.$traceHeader.withValue(invocation.traceID) {
            await InvocationPipeline.run(handler, event: invocation.event, context: context, responder: responder)
        }
        if let failure = responder.failure { throw .runtimeAPIFailed(failure.description) }
    }
}
