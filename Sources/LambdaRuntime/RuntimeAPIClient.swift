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
        let path = "/invocation/next"
        let response = try send(HTTPRequest(method: "GET", url: nextURL, headers: Self.noHeaders))
        guard response.status == 200 else {
            throw .unexpectedStatus(
                path: path, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        let headers = response.headers
        guard let requestID = headers["Lambda-Runtime-Aws-Request-Id"], !requestID.isEmpty else {
            throw .missingHeader("Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadline = headers["Lambda-Runtime-Deadline-Ms"].flatMap({ Int64($0) }) else {
            throw .missingHeader("Lambda-Runtime-Deadline-Ms")
        }
        return Invocation(
            requestID: requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: headers["Lambda-Runtime-Invoked-Function-Arn"] ?? "",
            traceID: headers["Lambda-Runtime-Trace-Id"],
            clientContext: headers["Lambda-Runtime-Client-Context"],
            cognitoIdentity: headers["Lambda-Runtime-Cognito-Identity"],
            tenantID: headers["Lambda-Runtime-Aws-Tenant-Id"],
            event: response.body)
    }

    public func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try post("\(baseURL)/invocation/\(requestID)/response", body: body, errorType: nil)
    }

    public func reportError(requestID: String, _ error: InvocationError) throws(RuntimeAPIError) {
        try post("\(baseURL)/invocation/\(requestID)/error", body: Self.encode(error), errorType: error.errorType)
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
        let response = try send(
            HTTPRequest(
                method: "POST", url: extensionsURL + path,
                headers: ["Lambda-Extension-Name": name, "Content-Type": "application/json"],
                body: Array(#"{"events":[]}"#.utf8), timeout: .seconds(10)))
        guard response.status == 200 else {
            throw .unexpectedStatus(
                path: path, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        guard let identifier = response.headers["Lambda-Extension-Identifier"] else {
            throw .missingHeader("Lambda-Extension-Identifier")
        }
        return identifier
    }

    public func nextExtensionEvent(identifier: String) throws(RuntimeAPIError) {
        let path = "/event/next"
        let response = try send(
            HTTPRequest(method: "GET", url: extensionsURL + path, headers: ["Lambda-Extension-Identifier": identifier]))
        guard response.status == 200 else {
            throw .unexpectedStatus(
                path: path, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
    }

    /// - Parameter url: made whole by the caller, in one string: the path alone is needed only
    ///   to say what failed.
    private func post(_ url: String, body: [UInt8], errorType: String?) throws(RuntimeAPIError) {
        var headers = Self.jsonHeaders
        if let errorType { headers.add("Lambda-Runtime-Function-Error-Type", errorType) }
        let response = try send(
            HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(30)))
        guard (200..<300).contains(response.status) else {
            throw .unexpectedStatus(
                path: String(url.dropFirst(baseURL.count)), status: response.status,
                body: String(decoding: response.body, as: UTF8.self))
        }
    }

    private func send(_ request: HTTPRequest) throws(RuntimeAPIError) -> HTTPResponse {
        do {
            return try http.execute(request)
        } catch {
            throw .unreachable(error)
        }
    }

    static func encode(_ error: InvocationError) -> [UInt8] {
        (try? JSON.encode(error, options: .init(sortedKeys: true)))
            ?? Array(#"{"errorType":"Runtime.MarshalError","errorMessage":"cannot encode the error"}"#.utf8)
    }
}
