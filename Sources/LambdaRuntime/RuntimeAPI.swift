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
    /// Sends a response chunk by chunk as `body` is written, then its trailers. Blocks until the
    /// response is sent: a thread of its own calls it while the handler writes.
    func streamResponse(requestID: String, contentType: String, body: ChunkedBody) throws(RuntimeAPIError)
    /// Registers an internal extension (Extensions API) that subscribes to no event: Lambda then
    /// sends the runtime SIGTERM before it stops the environment. Returns its identifier.
    func registerExtension(name: String) throws(RuntimeAPIError) -> String
    /// The extension's next event. With no event subscribed it never returns; registered
    /// extensions must nevertheless be waiting in it, or Lambda's init phase does not end.
    func nextExtensionEvent(identifier: String) throws(RuntimeAPIError)
}

extension RuntimeAPI {
    public func streamResponse(requestID: String, contentType: String, body: ChunkedBody) throws(RuntimeAPIError) {
        throw .unsupported("response streaming")
    }

    public func registerExtension(name: String) throws(RuntimeAPIError) -> String {
        throw .unsupported("the Extensions API")
    }

    public func nextExtensionEvent(identifier: String) throws(RuntimeAPIError) {
        throw .unsupported("the Extensions API")
    }
}

/// One event as `GET /runtime/invocation/next` delivered it.
public struct Invocation: Sendable {
    public var requestID: String
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    /// `Lambda-Runtime-Aws-Tenant-Id`, for functions in tenant isolation mode.
    public var tenantID: String?
    public var event: [UInt8]

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String, traceID: String? = nil,
        clientContext: String? = nil, cognitoIdentity: String? = nil, tenantID: String? = nil, event: [UInt8]
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.tenantID = tenantID
        self.event = event
    }
}

/// Why the runtime cannot go on talking to Lambda. The loop reports these on stderr and
/// exits non-zero, which is what Lambda expects of a runtime in an unrecoverable state.
public enum RuntimeAPIError: Error, CustomStringConvertible {
    case missingEndpoint
    case unreachable(HTTPClientError)
    case unexpectedStatus(path: String, status: Int, body: String)
    case missingHeader(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .missingEndpoint:
            "AWS_LAMBDA_RUNTIME_API is not set: this bootstrap must run under Lambda or a Runtime API emulator (lambda-local invoke)"
        case .unreachable(let error):
            "the Runtime API is unreachable: \(error)"
        case .unexpectedStatus(let path, let status, let body):
            "the Runtime API answered \(status) to \(path): \(body)"
        case .unsupported(let what):
            "this Runtime API does not support \(what)"
        case .missingHeader(let name):
            "the Runtime API sent an invocation without the \(name) header"
        }
    }
}
