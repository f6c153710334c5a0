// FoundationEssentials has all this needs, without the ICU data full Foundation loads:
// a bootstrap's cold start and memory are what a Lambda user pays for.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Runtime API loop: init once, then get an event, handle it, report, forever.
///
/// A bootstrap's `main.swift` is one call:
/// ```swift
/// await LambdaRuntime.run { (event: Order, context) in
///     try await process(event)
/// }
/// ```
public enum LambdaRuntime {
    /// Runs a typed handler built once by `makeHandler` in the init phase.
    public static func run<Handler: LambdaHandler>(
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        await runRaw { context in JSONCodingHandler(try await makeHandler(context)) }
    }

    /// Runs a typed handler given as a closure, with nothing to build at init.
    public static func run<Event: Decodable & Sendable, Output: Encodable & Sendable>(
        _ body: @escaping @Sendable (Event, LambdaContext) async throws -> Output
    ) async -> Never {
        let handler = JSONCodingHandler(ClosureHandler(body))
        await runRaw { _ in handler }
    }

    /// Runs a handler of raw bytes built once by `makeHandler` in the init phase.
    ///
    /// The Runtime API calls block the task's thread. That is deliberate: Lambda freezes
    /// the whole process while the runtime waits for `/next`, so no other work could run
    /// then anyway, and staying on one thread saves two thread hops per invocation
    /// (measured in BENCHMARKS.md).
    public static func runRaw<Handler: RawLambdaHandler>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logSink: LogSink = .standardError,
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        let logHandler = LambdaLogHandler(environment: environment, sink: logSink)
        let logger = Logger(label: "lambda-runtime") { _ in logHandler }
        guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            fail(RuntimeAPIError.missingEndpoint, logger: logger)
        }
        let api = RuntimeAPIClient(endpoint: endpoint)
        let function = FunctionConfiguration(environment: environment)

        let handler: Handler
        do {
            handler = try await makeHandler(LambdaInitContext(function: function, environment: environment, logger: logger))
        } catch {
            let reported = InvocationError(error)
            logger.critical("init failed", metadata: ["errorType": "\(reported.errorType)", "errorMessage": "\(reported.errorMessage)"])
            do {
                try api.reportInitError(reported)
            } catch {
                fail(error, logger: logger)
            }
            exit(1)
        }

        while true {
            let invocation: Invocation
            do {
                invocation = try api.next()
            } catch {
                fail(error, logger: logger)
            }
            if let traceID = invocation.traceID {
                setenv("_X_AMZN_TRACE_ID", traceID, 1)
            } else {
                unsetenv("_X_AMZN_TRACE_ID")
            }
            var invocationLog = logHandler
            invocationLog.requestID = invocation.requestID
            invocationLog.traceID = invocation.traceID
            let context = LambdaContext(
                requestID: invocation.requestID,
                deadlineMilliseconds: invocation.deadlineMilliseconds,
                invokedFunctionARN: invocation.invokedFunctionARN,
                traceID: invocation.traceID,
                clientContext: invocation.clientContext,
                cognitoIdentity: invocation.cognitoIdentity,
                function: function,
                logger: Logger(label: "lambda") { _ in invocationLog })

            let outcome = await InvocationPipeline.invoke(handler, event: invocation.event, context: context)
            do {
                switch outcome {
                case let .response(body): try api.respond(requestID: invocation.requestID, body: body)
                case let .error(error): try api.reportError(requestID: invocation.requestID, error)
                }
            } catch .unexpectedStatus(let path, let status, let body) {
                // Lambda refused this one report (a payload limit, an expired request id):
                // the invocation is lost to Lambda's retry policy, but the runtime can go on.
                context.logger.error("the Runtime API refused the report", metadata: [
                    "path": "\(path)", "status": "\(status)", "body": "\(body)",
                ])
            } catch {
                fail(error, logger: context.logger)
            }
        }
    }

    private static func fail(_ error: any Error, logger: Logger) -> Never {
        logger.critical("runtime stopped: \(error)")
        exit(1)
    }
}
