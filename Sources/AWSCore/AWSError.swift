import LambdaHTTP

/// An AWS error code ("ThrottlingException", "ConditionalCheckFailedException").
///
/// A struct rather than an enum: each service has its own open-ended list. Service modules
/// add their codes as static members, so callers compare `error.code == .conditionalCheckFailed`
/// and never spell a string.
public struct AWSErrorCode: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// Codes that mean "slow down", across services (the AWS SDKs' list).
    public static let throttlingCodes: Set<AWSErrorCode> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    public static let throttlingException: AWSErrorCode = "ThrottlingException"
    public static let accessDenied: AWSErrorCode = "AccessDeniedException"
    public static let signatureDoesNotMatch: AWSErrorCode = "SignatureDoesNotMatch"
    public static let invalidClientTokenID: AWSErrorCode = "InvalidClientTokenId"
    public static let expiredToken: AWSErrorCode = "ExpiredTokenException"
}

/// An error the service answered with: what failed, why, and the request id AWS Support asks for.
///
/// Parsed from each protocol's error shape (JSON `__type`/`message`, query XML
/// `<Error><Code>`), so it looks the same whatever service raised it.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The service's name, e.g. "DynamoDB".
    public var service: String
    /// The operation that failed, e.g. "PutItem".
    public var operation: String
    public var code: AWSErrorCode
    public var message: String?
    public var requestID: String?
    public var statusCode: Int
    /// The error document as received, for service-specific details (DynamoDB's cancellation
    /// reasons). Credentials never appear in it: they are removed when the error is built.
    public var body: [UInt8]

    public init(
        service: String, operation: String, code: AWSErrorCode, message: String?, requestID: String?, statusCode: Int,
        body: [UInt8] = []
    ) {
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
        self.body = body
    }

    public var isThrottling: Bool { statusCode == 429 || AWSErrorCode.throttlingCodes.contains(code) }
    public var isServerError: Bool { statusCode >= 500 }

    public var description: String {
        "\(service).\(operation) failed: \(code) (HTTP \(statusCode))\(message.map { ": \($0)" } ?? "")\(requestID.map { " [request id \($0)]" } ?? "")"
    }
}

/// A call that ended without an answer from the service.
public enum AWSTransportError: Error, Sendable, CustomStringConvertible {
    /// No response: refused, reset, timed out. Carries the last attempt's cause.
    case network(service: String, operation: String, attempts: Int, underlying: HTTPClientError)
    /// The endpoint's circuit breaker is open: the call was not attempted.
    case circuitOpen(service: String, operation: String, endpoint: String)
    /// The caller's deadline had passed before an attempt could start.
    case deadlineExceeded(service: String, operation: String, attempts: Int)
    /// A 2xx response whose body was not the documented shape.
    case invalidResponse(service: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .network(let service, let operation, let attempts, let underlying):
            "\(service).\(operation) got no response after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(underlying)"
        case .circuitOpen(let service, let operation, let endpoint):
            "\(service).\(operation) not attempted: the circuit breaker for \(endpoint) is open after repeated failures"
        case .deadlineExceeded(let service, let operation, let attempts):
            "\(service).\(operation) stopped after \(attempts) attempt\(attempts == 1 ? "" : "s"): the caller's deadline passed"
        case .invalidResponse(let service, let operation, let reason):
            "\(service).\(operation) returned an unreadable response: \(reason)"
        }
    }
}
