import LambdaHTTP

/// The Runtime API as the loop uses it: ``RuntimeAPIClient`` speaks it to Lambda over HTTP,
/// and a test can stand in for Lambda with a value of its own, so that every branch of the
/// loop runs in-process.
public protocol RuntimeAPI: Sendable {
    /// Blocks until Lambda has an event.
    func next() throws(RuntimeAPIError) -> Invocation
    func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError)
    func reportError(requestID: String, _ error: InvocationError) throws(RuntimeAPIError)
    func reportInitError(_ error: InvocationError) throws(RuntimeAPIError)
}

/// One event as `GET /runtime/invocation/next` delivered it.
public struct Invocation: Sendable {
    public var requestID: String
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    public var event: [UInt8]
}

/// Why the runtime cannot go on talking to Lambda. The loop reports these on stderr and
/// exits non-zero, which is what Lambda expects of a runtime in an unrecoverable state.
public enum RuntimeAPIError: Error, CustomStringConvertible {
    case missingEndpoint
    case unreachable(HTTPClientError)
    case unexpectedStatus(path: String, status: Int, body: String)
    case missingHeader(String)

    public var description: String {
        switch self {
        case .missingEndpoint:
            "AWS_LAMBDA_RUNTIME_API is not set: this bootstrap must run under Lambda or a Runtime API emulator (lambda-local invoke)"
        case .unreachable(let error):
            "the Runtime API is unreachable: \(error)"
        case .unexpectedStatus(let path, let status, let body):
            "the Runtime API answered \(status) to \(path): \(body)"
        case .missingHeader(let name):
            "the Runtime API sent an invocation without the \(name) header"
        }
    }
}
