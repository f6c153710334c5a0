import Dispatch
import LambdaHTTP
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a bootstrap starts: the one call its `main.swift` makes.
/// ```swift
/// await Lambda.run { (event: Order, context) in
///     try await process(event)
/// }
/// ```
/// It reads the environment Lambda sets, runs ``RuntimeLoop`` and, when the loop stops (an init
/// error, a Runtime API that cannot be reached), logs why and exits 1, as Lambda expects: the
/// one place the kit ends a process.
public enum Lambda {
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
    public static func runRaw<Handler: RawLambdaHandler>(
        environment: [String: String] = ProcessEnvironment.current(),
        logSink: LogSink = .standardError,
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        await runInvocations(environment: environment, logSink: logSink) {
            BufferedInvocation(try await makeHandler($0))
        }
    }

    /// Runs a handler that streams its response, built once by `makeHandler` in the init phase.
    public static func run<Handler: StreamingLambdaHandler>(
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        await runInvocations { StreamingInvocation(try await makeHandler($0)) }
    }

    /// Runs a handler that may work after sending its response, built once in the init phase.
    public static func run<Handler: LambdaWithBackgroundProcessingHandler>(
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        await runInvocations { BackgroundProcessingInvocation(try await makeHandler($0)) }
    }

    /// Runs any handler kind.
    ///
    /// One invocation at a time, the Runtime API calls block the task's thread. That is
    /// deliberate: Lambda freezes the whole process while the runtime waits for `/next`, so no
    /// other work could run then anyway, and staying on one thread saves two thread hops per
    /// invocation (measured in BENCHMARKS.md).
    ///
    /// With `AWS_LAMBDA_MAX_CONCURRENCY=N` (Lambda Managed Instances), N pollers run at once,
    /// each with its own connection and its own thread for the Runtime API's blocking calls, and
    /// `_X_AMZN_TRACE_ID` is not set: each invocation's trace id is in its context (and in
    /// ``InvocationTrace``, which the AWS clients read).
    public static func runInvocations<Handler: InvocationHandler>(
        environment: [String: String] = ProcessEnvironment.current(),
        logSink: LogSink = .standardError,
        _ makeHandler: @Sendable (LambdaInitContext) async throws -> Handler
    ) async -> Never {
        let logHandler = LambdaLogHandler(environment: environment, sink: logSink)
        let logger = Logger(label: "lambda-runtime") { _ in logHandler }
        guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            logger.critical("runtime stopped: \(RuntimeAPIError.missingEndpoint)")
            exit(1)
        }
        let concurrency = max(1, environment["AWS_LAMBDA_MAX_CONCURRENCY"].flatMap { Int($0) } ?? 1)
        let hooks = ShutdownHooks()
        let first = RuntimeLoop(
            api: RuntimeAPIClient(endpoint: endpoint), environment: environment, logHandler: logHandler,
            exportsTraceID: concurrency == 1,
            calls: concurrency == 1 ? .inline : .dedicatedQueue(label: "runtime-poller-0"),
            shutdownHooks: hooks)
        let stop: RuntimeStop
        do {
            let handler = try await first.initialize(makeHandler)
            // Kept alive for the process's life: it turns SIGTERM into the hooks and an exit.
            var signalSource: (any DispatchSourceSignal)?
            if !hooks.isEmpty {
                do {
                    signalSource = try GracefulShutdown.install(
                        hooks: hooks, api: first.api, eventAPI: RuntimeAPIClient(endpoint: endpoint))
                } catch {
                    logger.warning("shutdown hooks will not run: cannot register the extension: \(error)")
                }
            }
            if concurrency == 1 {
                // On this task: a child task would move the loop to another thread of the pool
                // (a thread more to start, at cold start), for nothing to wait on beside it.
                stop = await first.run(handler)
            } else {
                stop = await withTaskGroup(of: RuntimeStop.self) { group in
                    group.addTask { await first.run(handler) }
                    for index in 1..<concurrency {
                        let poller = RuntimeLoop(
                            api: RuntimeAPIClient(endpoint: endpoint), environment: environment,
                            logHandler: logHandler, exportsTraceID: false,
                            calls: .dedicatedQueue(label: "runtime-poller-\(index)"), shutdownHooks: hooks)
                        group.addTask { await poller.run(handler) }
                    }
                    // The first poller to stop stops the process: the others share its Runtime API.
                    return await group.next()!
                }
            }
            withExtendedLifetime(signalSource) {}
        } catch {
            stop = error
        }
        // An init error is already logged and reported; anything else is logged here.
        if case .runtimeAPIFailed = stop { logger.critical("\(stop)") }
        if case .initFailed(_, let reportFailure?) = stop {
            logger.critical("cannot report the init error: \(reportFailure)")
        }
        exit(1)
    }
}

/// The process environment as a dictionary, read with `environ` (no Foundation).
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
