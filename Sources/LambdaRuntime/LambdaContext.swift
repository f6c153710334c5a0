import Logging
import Synchronization
import UTCTime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The function's static configuration, read once from the environment Lambda sets.
public struct FunctionConfiguration: Sendable, Equatable {
    public var name: String
    public var version: String
    public var memoryLimitInMB: Int
    public var logGroupName: String
    public var logStreamName: String

    public init(
        name: String = "function",
        version: String = "$LATEST",
        memoryLimitInMB: Int = 128,
        logGroupName: String? = nil,
        logStreamName: String = "local"
    ) {
        self.name = name
        self.version = version
        self.memoryLimitInMB = memoryLimitInMB
        self.logGroupName = logGroupName ?? "/aws/lambda/\(name)"
        self.logStreamName = logStreamName
    }

    /// Reads `AWS_LAMBDA_FUNCTION_NAME`, `_VERSION`, `_MEMORY_SIZE`, `AWS_LAMBDA_LOG_GROUP_NAME`
    /// and `AWS_LAMBDA_LOG_STREAM_NAME`, with local defaults for what is missing.
    public init(environment: [String: String]) {
        let name = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "function"
        self.init(
            name: name,
            version: environment["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST",
            memoryLimitInMB: environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap { Int($0) } ?? 128,
            logGroupName: environment["AWS_LAMBDA_LOG_GROUP_NAME"],
            logStreamName: environment["AWS_LAMBDA_LOG_STREAM_NAME"] ?? "local"
        )
    }
}

/// What a handler knows about the invocation it is serving.
///
/// A value, held in one reference-counted box: a context goes from the loop to the pipeline, the
/// handler and the tasks it starts, and copying its dozen strings at each hand-off (a retain
/// each, and a release each on the way back) was a sixth of the runtime loop's own time per
/// invocation (BENCHMARKS.md, issue 13). Changing a property copies the box first.
public struct LambdaContext: Sendable {
    private struct Fields: Sendable {
        var requestID: String
        var deadlineMilliseconds: Int64
        var invokedFunctionARN: String
        var traceID: String?
        var clientContext: String?
        var cognitoIdentity: String?
        var tenantID: String?
        /// The function's configuration and the log handler, shared by every context a runtime
        /// makes; a context given its own function gets defaults of its own.
        var defaults: InvocationDefaults
        /// A logger given to the context, instead of one made from the defaults' log handler.
        var logger: Logger?
    }

    private final class Box: Sendable {
        let fields: Fields
        /// The logger made from the defaults' log handler, once asked for: most invocations log
        /// nothing, and a `Logger` costs allocations (its storage, the handler's existential box)
        /// that the runtime made for every invocation.
        private let madeLogger = Mutex<Logger?>(nil)

        init(_ fields: Fields) { self.fields = fields }

        var logger: Logger {
            if let logger = fields.logger { return logger }
            return madeLogger.withLock { made in
                if let made { return made }
                var handler = fields.defaults.logHandler
                handler.requestID = fields.requestID
                handler.traceID = fields.traceID
                handler.tenantID = fields.tenantID
                let logger = Logger(label: "lambda") { _ in handler }
                made = logger
                return logger
            }
        }
    }

    private var box: Box

    /// A field read from the box, or changed in a copy of it.
    private subscript<Value>(field field: WritableKeyPath<Fields, Value>) -> Value {
        get { box.fields[keyPath: field] }
        set {
            var fields = box.fields
            fields[keyPath: field] = newValue
            box = Box(fields)
        }
    }

    /// `Lambda-Runtime-Aws-Request-Id`.
    public var requestID: String {
        get { self[field: \.requestID] }
        set { self[field: \.requestID] = newValue }
    }
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in Unix epoch milliseconds.
    public var deadlineMilliseconds: Int64 {
        get { self[field: \.deadlineMilliseconds] }
        set { self[field: \.deadlineMilliseconds] = newValue }
    }
    /// `Lambda-Runtime-Invoked-Function-Arn`: the ARN, version or alias the caller named.
    public var invokedFunctionARN: String {
        get { self[field: \.invokedFunctionARN] }
        set { self[field: \.invokedFunctionARN] = newValue }
    }
    /// `Lambda-Runtime-Trace-Id`: the X-Ray trace header, also exported as `_X_AMZN_TRACE_ID`.
    public var traceID: String? {
        get { self[field: \.traceID] }
        set { self[field: \.traceID] = newValue }
    }
    /// `Lambda-Runtime-Client-Context`: JSON from mobile SDK callers.
    public var clientContext: String? {
        get { self[field: \.clientContext] }
        set { self[field: \.clientContext] = newValue }
    }
    /// `Lambda-Runtime-Cognito-Identity`: JSON from mobile SDK callers.
    public var cognitoIdentity: String? {
        get { self[field: \.cognitoIdentity] }
        set { self[field: \.cognitoIdentity] = newValue }
    }
    /// `Lambda-Runtime-Aws-Tenant-Id`: the tenant a function in tenant isolation mode serves now.
    public var tenantID: String? {
        get { self[field: \.tenantID] }
        set { self[field: \.tenantID] = newValue }
    }
    public var function: FunctionConfiguration {
        get { box.fields.defaults.function }
        set {
            self[field: \.defaults] = InvocationDefaults(function: newValue, logHandler: box.fields.defaults.logHandler)
        }
    }
    /// Carries the request id and trace id on every line (those of the context when the logger
    /// was first asked for).
    public var logger: Logger {
        get { box.logger }
        set { self[field: \.logger] = newValue }
    }

    public init(
        requestID: String,
        deadlineMilliseconds: Int64,
        invokedFunctionARN: String,
        traceID: String? = nil,
        clientContext: String? = nil,
        cognitoIdentity: String? = nil,
        tenantID: String? = nil,
        function: FunctionConfiguration,
        logger: Logger
    ) {
        self.init(
            Invocation(
                requestID: requestID, deadlineMilliseconds: deadlineMilliseconds,
                invokedFunctionARN: invokedFunctionARN,
                traceID: traceID, clientContext: clientContext, cognitoIdentity: cognitoIdentity, tenantID: tenantID,
                event: []),
            // The defaults' log handler goes unused: the context has the logger it was given.
            defaults: InvocationDefaults(function: function, logHandler: LambdaLogHandler()), logger: logger)
    }

    /// The runtime's context for an invocation: one reference to what every invocation shares,
    /// and, unless `logger` is given, a logger made only if the handler asks for one.
    init(_ invocation: Invocation, defaults: InvocationDefaults, logger: Logger? = nil) {
        box = Box(
            Fields(
                requestID: invocation.requestID, deadlineMilliseconds: invocation.deadlineMilliseconds,
                invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
                clientContext: invocation.clientContext, cognitoIdentity: invocation.cognitoIdentity,
                tenantID: invocation.tenantID, defaults: defaults, logger: logger))
    }

    /// Time left before Lambda stops this invocation; negative once past the deadline.
    public var remainingTime: Duration {
        .milliseconds(deadlineMilliseconds - UTCTime.now().millisecondsSince1970)
    }

    /// The point on the continuous clock that corresponds to the deadline, for APIs that
    /// take one (retries must never run past it).
    public var deadline: ContinuousClock.Instant {
        ContinuousClock.now.advanced(by: remainingTime)
    }
}

/// What every invocation of a runtime shares, made once: the function's configuration, and the
/// log handler each invocation's logger starts from. A context holds a reference to it rather
/// than copies (a dozen strings retained and released per invocation).
final class InvocationDefaults: Sendable {
    let function: FunctionConfiguration
    let logHandler: LambdaLogHandler

    init(function: FunctionConfiguration, logHandler: LambdaLogHandler) {
        self.function = function
        self.logHandler = logHandler
    }
}

/// What the init phase has to build a handler with.
public struct LambdaInitContext: Sendable {
    public var function: FunctionConfiguration
    /// The process environment, as Lambda set it.
    public var environment: [String: String]
    public var logger: Logger

    /// What runs when Lambda stops the environment.
    public let shutdownHooks: ShutdownHooks

    public init(
        function: FunctionConfiguration, environment: [String: String], logger: Logger,
        shutdownHooks: ShutdownHooks = ShutdownHooks()
    ) {
        self.function = function
        self.environment = environment
        self.logger = logger
        self.shutdownHooks = shutdownHooks
    }

    /// Runs `hook` when Lambda stops this execution environment (SIGTERM), with the others
    /// registered, all within about 400 ms: flush logs and metrics, close connections. Registering
    /// one makes the runtime register an internal extension, which is what makes Lambda send
    /// SIGTERM at all.
    public func onShutdown(_ hook: @escaping @Sendable () async -> Void) {
        shutdownHooks.add(hook)
    }

    /// The environment, read with errors that name the variable.
    public var configuration: EnvironmentReader { EnvironmentReader(environment) }
}
