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
    ///
    /// The Runtime API calls block the task's thread. That is deliberate: Lambda freezes
    /// the whole process while the runtime waits for `/next`, so no other work could run
    /// then anyway, and staying on one thread saves two thread hops per invocation
    /// (measured in BENCHMARKS.md).
    public static func runRaw<Handler: RawLambdaHandler>(
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
        let loop = RuntimeLoop(
            api: RuntimeAPIClient(endpoint: endpoint), environment: environment, logHandler: logHandler)
        let stop: RuntimeStop
        do {
            stop = await loop.run(try await loop.initialize(makeHandler))
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
