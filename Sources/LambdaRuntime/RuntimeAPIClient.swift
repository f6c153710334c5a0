import JSONCoding
import LambdaHTTP

/// The Lambda Runtime API, version 2018-06-01, over one kept-alive connection.
public struct RuntimeAPIClient: RuntimeAPI {
    public let baseURL: String
    /// The Extensions API, 2020-01-01, on the same endpoint.
    public let extensionsURL: String
    private let nextURL: String
    private let http: HTTPClient
    /// The same values for every call, so that each request shares them rather than building
    /// them, and the HTTP client's header lines are reused (it rebuilds them only on a change).
    private static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]
    private static let noHeaders = HTTPHeaders()

    /// - Parameter endpoint: `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it.
    public init(
        endpoint: String,
        http: HTTPClient = HTTPClient(configuration: .init(caBundlePath: nil, usesProxyFromEnvironment: false))
    ) {
        self.baseURL = "http://\(endpoint)/2018-06-01/runtime"
        self.extensionsURL = "http://\(endpoint)/2020-01-01/extension"
        self.nextURL = baseURL + "/invocation/next"
        self.http = http
    }

    /// Blocks until Lambda has an event. No timeout: Lambda freezes the process while it waits.
    public func next() throws(RuntimeAPIError) -> Invocation {
        var fields = InvocationFields()
        let (status, body) = try exchange(method: "GET", url: nextURL, headers: Self.noHeaders) { name, value in
            fields.read(name, value)
        }
        guard status == 200 else {
            throw .unexpectedStatus(
                path: "/invocation/next", status: status, body: String(decoding: body, as: UTF8.self))
        }
        guard let requestID = fields.requestID, !requestID.isEmpty else {
            throw .missingHeader("Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadline = fields.deadline.flatMap({ Int64($0) }) else {
            throw .missingHeader("Lambda-Runtime-Deadline-Ms")
        }
        return Invocation(
            requestID: requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: fields.invokedFunctionARN ?? "",
            traceID: fields.traceID,
            clientContext: fields.clientContext,
            cognitoIdentity: fields.cognitoIdentity,
            tenantID: fields.tenantID,
            event: body)
    }

    public func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try post(invocationURL(requestID, "/response"), body: body, errorType: nil)
    }

    public func reportError(requestID: String, _ error: InvocationError) throws(RuntimeAPIError) {
        try post(invocationURL(requestID, "/error"), body: Self.encode(error), errorType: error.errorType)
    }

    public func reportInitError(_ error: InvocationError) throws(RuntimeAPIError) {
        try post(baseURL + "/init/error", body: Self.encode(error), errorType: error.errorType)
    }

    public func streamResponse(requestID: String, contentType: String, body: ChunkedBody) throws(RuntimeAPIError) {
        let path = "/invocation/\(requestID)/response"
        let headers: HTTPHeaders = [
            "Content-Type": contentType,
            "Lambda-Runtime-Function-Response-Mode": "streaming",
            "Trailer": "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
        ]
        let response: HTTPResponse
        do {
            response = try http.execute(
                HTTPRequest(method: "POST", url: baseURL + path, headers: headers), streaming: body)
        } catch {
            throw .unreachable(error)
        }
        guard (200..<300).contains(response.status) else {
            throw .unexpectedStatus(
                path: path, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
    }

    public func registerExtension(name: String) throws(RuntimeAPIError) -> String {
        let path = "/register"
        var identifier: String?
        let (status, body) = try exchange(
            method: "POST", url: extensionsURL + path,
            headers: ["Lambda-Extension-Name": name, "Content-Type": "application/json"],
            body: Array(#"{"events":[]}"#.utf8), timeout: .seconds(10)
        ) { name, value in
            if identifier == nil, caseInsensitiveEquals(name, Self.extensionIdentifier) {
                identifier = String(decoding: value, as: UTF8.self)
            }
        }
        guard status == 200 else {
            throw .unexpectedStatus(path: path, status: status, body: String(decoding: body, as: UTF8.self))
        }
        guard let identifier else { throw .missingHeader("Lambda-Extension-Identifier") }
        return identifier
    }

    public func nextExtensionEvent(identifier: String) throws(RuntimeAPIError) {
        let path = "/event/next"
        let (status, body) = try exchange(
            method: "GET", url: extensionsURL + path, headers: ["Lambda-Extension-Identifier": identifier])
        guard status == 200 else {
            throw .unexpectedStatus(path: path, status: status, body: String(decoding: body, as: UTF8.self))
        }
    }

    /// `{base}/invocation/{id}{action}`, appended into one string of the right size:
    /// interpolation's generic path was a fifth of the client's own time per invocation.
    private func invocationURL(_ requestID: String, _ action: String) -> String {
        var url = baseURL
        url.reserveCapacity(baseURL.utf8.count + 12 + requestID.utf8.count + action.utf8.count)
        url.append("/invocation/")
        url.append(requestID)
        url.append(action)
        return url
    }

    /// - Parameter url: made whole by the caller, in one string: the path alone is needed only
    ///   to say what failed.
    private func post(_ url: String, body: [UInt8], errorType: String?) throws(RuntimeAPIError) {
        var headers = Self.jsonHeaders
        if let errorType { headers.add("Lambda-Runtime-Function-Error-Type", errorType) }
        let (status, answer) = try exchange(
            method: "POST", url: url, headers: headers, body: body, timeout: .seconds(30))
        guard (200..<300).contains(status) else {
            throw .unexpectedStatus(
                path: String(url.dropFirst(baseURL.count)), status: status,
                body: String(decoding: answer, as: UTF8.self))
        }
    }

    /// The HTTP client's lean exchange: no request or response values are made for the Runtime
    /// API's calls, and the fields wanted are read in one pass over the received bytes.
    private func exchange(
        method: String, url: String, headers: HTTPHeaders, body: [UInt8] = [], timeout: Duration? = nil,
        fields: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void = { _, _ in }
    ) throws(RuntimeAPIError) -> (status: Int, body: [UInt8]) {
        do {
            return try http.exchange(
                method: method, url: url, headers: headers, body: body, timeout: timeout, fields: fields)
        } catch {
            throw .unreachable(error)
        }
    }

    private static let extensionIdentifier = Array("Lambda-Extension-Identifier".utf8)

    static func encode(_ error: InvocationError) -> [UInt8] {
        (try? JSON.encode(error, options: .init(sortedKeys: true)))
            ?? Array(#"{"errorType":"Runtime.MarshalError","errorMessage":"cannot encode the error"}"#.utf8)
    }
}

/// The fields of a `/next` response the runtime reads, taken in one pass over the response's
/// fields: seven lookups by name scanned them seven times, and made an `HTTPHeaders` to do it.
private struct InvocationFields {
    var requestID: String?
    var deadline: String?
    var invokedFunctionARN: String?
    var traceID: String?
    var clientContext: String?
    var cognitoIdentity: String?
    var tenantID: String?

    private static let names: [[UInt8]] = [
        "Lambda-Runtime-Aws-Request-Id", "Lambda-Runtime-Deadline-Ms", "Lambda-Runtime-Invoked-Function-Arn",
        "Lambda-Runtime-Trace-Id", "Lambda-Runtime-Client-Context", "Lambda-Runtime-Cognito-Identity",
        "Lambda-Runtime-Aws-Tenant-Id",
    ].map { Array($0.utf8) }

    mutating func read(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        for (index, wanted) in Self.names.enumerated() where caseInsensitiveEquals(name, wanted) {
            // The first of a repeated field, as a lookup by name would find.
            func first(_ kept: String?) -> String? { kept ?? String(decoding: value, as: UTF8.self) }
            switch index {
            case 0: requestID = first(requestID)
            case 1: deadline = first(deadline)
            case 2: invokedFunctionARN = first(invokedFunctionARN)
            case 3: traceID = first(traceID)
            case 4: clientContext = first(clientContext)
            case 5: cognitoIdentity = first(cognitoIdentity)
            default: tenantID = first(tenantID)
            }
            return
        }
    }
}
