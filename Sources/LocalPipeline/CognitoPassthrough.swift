import LambdaHTTP
import LoopbackHTTP

/// Cognito's public endpoint on the local API's own origin, for the web page. The page calls
/// `InitiateAuth` from the browser; moto_server cannot answer the CORS preflight such a
/// cross-origin call needs (an unsigned OPTIONS names no service, and it answers 500), so
/// `pipeline up` gives the page this path instead, and it forwards Cognito's JSON calls to the
/// endpoint unchanged. Deployed, the page talks to `cognito-idp.<region>.amazonaws.com`, which
/// answers CORS itself.
public struct CognitoPassthrough: Sendable {
    public static let path = "/_local/cognito-idp/"
    public let endpoint: String

    public init(endpoint: String) {
        self.endpoint = endpoint.hasSuffix("/") ? endpoint : endpoint + "/"
    }

    /// The answer to a request for `path`; nil for any other request.
    public func handle(_ request: HTTPServerRequest) -> HTTPResponse? {
        guard request.path == Self.path else { return nil }
        guard request.method == "POST", let target = request.headers["X-Amz-Target"],
            target.hasPrefix("AWSCognitoIdentityProviderService.")
        else {
            return LocalAPIGateway.message(400, "Only Cognito user pool calls (POST, X-Amz-Target) pass here")
        }
        let headers: HTTPHeaders = [
            "Content-Type": request.headers["Content-Type"] ?? "application/x-amz-json-1.1", "X-Amz-Target": target,
        ]
        do {
            let answer = try HTTPClient().execute(
                HTTPRequest(method: "POST", url: endpoint, headers: headers, body: request.body, timeout: .seconds(30)))
            var forwarded = HTTPHeaders()
            for name in ["Content-Type", "X-Amzn-ErrorType", "x-amzn-requestid"] {
                if let value = answer.headers[name] { forwarded.add(name, value) }
            }
            return HTTPResponse(status: answer.status, headers: forwarded, body: answer.body)
        } catch {
            return LocalAPIGateway.message(502, "Cognito at \(endpoint) did not answer: \(error)")
        }
    }
}
