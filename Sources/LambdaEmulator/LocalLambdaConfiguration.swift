import Foundation
import LambdaRuntime

/// How to run one function locally, as Lambda would configure it.
public struct LocalLambdaConfiguration: Sendable {
    /// The bootstrap's argv: an executable path, or e.g. `["python3", "-m", "awslambdaric", "app.handler"]`.
    public var command: [String]
    public var functionName: String
    public var memorySize: Int
    /// The invocation timeout, from the moment the runtime picks the event up.
    public var timeout: Duration
    /// How long the init phase may take before the first `/next` (Lambda allows 10 s).
    public var initTimeout: Duration
    public var region: String
    /// `_HANDLER`.
    public var handler: String
    /// `AWS_LAMBDA_LOG_FORMAT`: "Text" or "JSON"; nil leaves it unset.
    public var logFormat: String?
    /// `AWS_LAMBDA_LOG_LEVEL`; nil leaves it unset.
    public var logLevel: String?
    /// Variables set on top of Lambda's, like a function's configured environment.
    public var environment: [String: String]
    /// Whether the bootstrap also sees this process's environment (PATH, credentials, ...).
    public var inheritsEnvironment: Bool
    /// The task root: the bootstrap's working directory and `LAMBDA_TASK_ROOT`.
    public var workingDirectory: String?
    /// Receives the bootstrap's stdout and stderr as they arrive.
    public var functionOutput: @Sendable ([UInt8]) -> Void

    public init(
        command: [String],
        functionName: String,
        memorySize: Int = 128,
        timeout: Duration = .seconds(3),
        initTimeout: Duration = .seconds(10),
        region: String = "us-east-1",
        handler: String = "bootstrap",
        logFormat: String? = nil,
        logLevel: String? = nil,
        environment: [String: String] = [:],
        inheritsEnvironment: Bool = true,
        workingDirectory: String? = nil,
        functionOutput: @escaping @Sendable ([UInt8]) -> Void = LocalLambdaConfiguration.standardError
    ) {
        self.command = command
        self.functionName = functionName
        self.memorySize = memorySize
        self.timeout = timeout
        self.initTimeout = initTimeout
        self.region = region
        self.handler = handler
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.environment = environment
        self.inheritsEnvironment = inheritsEnvironment
        self.workingDirectory = workingDirectory
        self.functionOutput = functionOutput
    }

    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    public static let discard: @Sendable ([UInt8]) -> Void = { _ in }

    public var functionARN: String { "arn:aws:lambda:\(region):123456789012:function:\(functionName)" }
}
