import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TextEncodings

/// The payload format API Gateway sends the function.
public enum APIGatewayPayloadFormat: Sendable, Equatable {
    /// HTTP API, payload format 2.0.
    case httpAPIv2
    /// REST API (and HTTP API payload 1.0): the Lambda proxy integration.
    case restV1
}

/// One route of a local API, as API Gateway matches requests against it: a method (or `ANY`)
/// and a path template (`/events/{id}`, `/{proxy+}`), or `$default`; the function behind it,
/// and the JWT authorizer that guards it, if any.
public struct APIRoute: Sendable {
    public var method: String
    public var path: String
    public var functionName: String
    public var pool: LambdaPool
    public var format: APIGatewayPayloadFormat
    public var authorizer: JWTAuthorizer?
    /// The route's `AuthorizationScopes`: a token must carry at least one of them.
    public var scopes: [String]

    public init(
        method: String = "ANY", path: String = "$default", functionName: String, pool: LambdaPool,
        format: APIGatewayPayloadFormat = .httpAPIv2, authorizer: JWTAuthorizer? = nil, scopes: [String] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.functionName = functionName
        self.pool = pool
        self.format = format
        self.authorizer = authorizer
        self.scopes = scopes
    }

    /// `POST /events`, or `$default`.
    public var routeKey: String { path == "$default" ? "$default" : "\(method) \(path)" }

    /// The path parameters when this route matches `method` and `path`, else nil.
    func match(method requested: String, path requestedPath: Substring) -> [String: String]? {
        guard method == "ANY" || method == requested.uppercased() else { return nil }
        if path == "$default" { return [:] }
        let template = path.split(separator: "/")
        let segments = requestedPath.split(separator: "/")
        var parameters: [String: String] = [:]
        for (index, part) in template.enumerated() {
            if part.hasPrefix("{"), part.hasSuffix("+}") {
                // Greedy: the rest of the path, at least one segment.
                guard index < segments.count else { return nil }
                parameters[String(part.dropFirst().dropLast(2))] = PercentEncoding.decode(
                    segments[index...].joined(separator: "/"))
                return parameters
            }
            guard index < segments.count else { return nil }
            if part.hasPrefix("{"), part.hasSuffix("}") {
                parameters[String(part.dropFirst().dropLast())] = PercentEncoding.decode(segments[index])
            } else if part != segments[index] {
                return nil
            }
        }
        return template.count == segments.count ? parameters : nil
    }

    /// API Gateway prefers the most specific route: a literal path over one with variables,
    /// variables over a greedy one, any route over `$default`, and a method over `ANY`.
    var specificity: (Int, Int, Int, Int) {
        let template = path.split(separator: "/")
        let greedy = template.contains { $0.hasSuffix("+}") }
        let literals = template.filter { !$0.hasPrefix("{") }.count
        return (path == "$default" ? 0 : 1, greedy ? 0 : 1, literals, method == "ANY" ? 0 : 1)
    }
}

/// Plays API Gateway on loopback: one API of routes, each to a function running through the
/// Runtime API emulator on warm processes. A request is matched to a route by method and path
/// (404 `{"message":"Not Found"}` when none matches), passes the route's JWT authorizer (401
/// `{"message":"Unauthorized"}` when its token does not), becomes the route's proxy event, and
/// the function's answer is turned back into an HTTP response by API Gateway's rules. A
/// directory of static files (the system's web page) may be served beside the routes.
///
/// Each process (execution environment) handles one event at a time, as in Lambda;
/// concurrent HTTP requests beyond the pool's size wait their turn.
public final class LocalAPIGateway: Sendable {
    public let routes: [APIRoute]
    public let webRoot: String?
    private let server: LoopbackHTTPServer
    private let onInvocation: @Sendable (InvocationRecord) -> Void

    /// One request as it went through, for the one-line log.
    public struct InvocationRecord: Sendable {
        public var method: String
        public var target: String
        public var status: Int
        /// The route it matched, nil when none did.
        public var route: String?
        public var functionName: String?
        /// The function's invocation; nil when the request never reached it (no route, or the
        /// authorizer refused it).
        public var report: InvocationReport?
        /// Why the request did not reach the function.
        public var rejection: String?
    }

    public convenience init(
        lambda: LocalLambda, format: APIGatewayPayloadFormat = .httpAPIv2, host: String = "127.0.0.1", port: Int = 0,
        onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        try self.init(pool: LambdaPool([lambda]), format: format, host: host, port: port, onInvocation: onInvocation)
    }

    /// Serves one function for every request (a `$default` route), with several processes of
    /// it, so that concurrent requests run concurrently, as Lambda scales out.
    public convenience init(
        pool: LambdaPool, format: APIGatewayPayloadFormat = .httpAPIv2, host: String = "127.0.0.1", port: Int = 0,
        onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        try self.init(
            routes: [APIRoute(functionName: "", pool: pool, format: format)], host: host, port: port,
            onInvocation: onInvocation)
    }

    /// - Parameter cognito: Cognito's endpoint on this API's origin, for the web page.
    public init(
        routes: [APIRoute], webRoot: String? = nil, cognito: CognitoPassthrough? = nil, host: String = "127.0.0.1",
        port: Int = 0, onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        precondition(!routes.isEmpty, "an API needs a route")
        // Most specific first, so the first match wins.
        let ordered = routes.sorted { $0.specificity > $1.specificity }
        self.routes = ordered
        self.webRoot = webRoot
        self.onInvocation = onInvocation
        // API Gateway refuses payloads over 10 MB; so does this.
        server = try LoopbackHTTPServer(host: host, port: port, maximumBodySize: 10 << 20) { request in
            if let answer = cognito?.handle(request) { return .response(answer) }
            return .response(
                LocalAPIGateway.handle(request, routes: ordered, webRoot: webRoot, onInvocation: onInvocation))
        }
    }

    deinit { server.stop() }

    public var port: Int { server.port }
    public var url: String { "http://\(server.authority)" }

    /// Stops listening. The functions' processes are the caller's to shut down.
    public func stop() { server.stop() }

    static func handle(
        _ request: HTTPServerRequest, routes: [APIRoute], webRoot: String?,
        onInvocation: @Sendable (InvocationRecord) -> Void
    ) -> HTTPResponse {
        var record = InvocationRecord(method: request.method, target: request.target, status: 404)
        defer { onInvocation(record) }
        func matching(_ isDefault: Bool) -> (APIRoute, [String: String])? {
            for route in routes where (route.path == "$default") == isDefault {
                if let parameters = route.match(method: request.method, path: request.path) {
                    return (route, parameters)
                }
            }
            return nil
        }
        // The routes, then the web page's files, then `$default`.
        if let (route, parameters) = matching(false) {
            return invoke(request, route: route, parameters: parameters, record: &record)
        }
        if let webRoot, let file = staticFile(request, webRoot: webRoot) {
            record.status = 200
            record.route = "web"
            return file
        }
        if let (route, parameters) = matching(true) {
            return invoke(request, route: route, parameters: parameters, record: &record)
        }
        record.rejection = "no route"
        return message(404, "Not Found")
    }

    private static func invoke(
        _ request: HTTPServerRequest, route: APIRoute, parameters: [String: String], record: inout InvocationRecord
    ) -> HTTPResponse {
        record.route = route.routeKey
        record.functionName = route.functionName
        var authorizer: APIGatewayV2Authorizer?
        if let jwt = route.authorizer {
            switch jwt.authorize(headers: request.headers, scopes: route.scopes) {
            case .success(let claims):
                authorizer = APIGatewayV2Authorizer(jwt: claims)
            case .failure(let rejection):
                record.status = rejection.status
                record.rejection = rejection.description
                var response = message(rejection.status, rejection.status == 403 ? "Forbidden" : "Unauthorized")
                response.headers.add("www-authenticate", rejection.challenge)
                return response
            }
        }
        let event = event(
            for: request, format: route.format, routeKey: route.routeKey, route: route.path, pathParameters: parameters,
            authorizer: authorizer)
        let report = route.pool.invoke(event)
        let response = response(for: report.result, format: route.format)
        record.status = response.status
        record.report = report
        return response
    }

    /// A file under `webRoot` for GET or HEAD (`/` is `index.html`); nil when there is none.
    /// `..` never leaves the root.
    static func staticFile(_ request: HTTPServerRequest, webRoot: String) -> HTTPResponse? {
        guard request.method == "GET" || request.method == "HEAD" else { return nil }
        let decoded = PercentEncoding.decode(request.path)
        let components = decoded.split(separator: "/")
        guard !components.contains(where: { $0 == ".." || $0.hasPrefix(".") }) else { return nil }
        let relative = components.isEmpty ? "index.html" : components.joined(separator: "/")
        let path = URL(fileURLWithPath: webRoot).appendingPathComponent(relative).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let contents = FileManager.default.contents(atPath: path)
        else { return nil }
        let types = [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
            "mjs": "text/javascript; charset=utf-8",
            "css": "text/css; charset=utf-8", "json": "application/json", "png": "image/png", "svg": "image/svg+xml",
            "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
        ]
        let type = types[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? "application/octet-stream"
        // The page is edited while `pipeline up` runs: never cached.
        return HTTPResponse(
            status: 200, headers: ["Content-Type": type, "Cache-Control": "no-store"],
            body: request.method == "HEAD" ? [] : Array(contents))
    }

    /// API Gateway's own answers: `{"message": "..."}`.
    static func message(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"],
            body: Array(#"{"message":"\#(text)"}"#.utf8))
    }

    // MARK: Request → event

    /// The proxy event of a request to `route` (`$default` or a path template) and its key.
    public static func event(
        for request: HTTPServerRequest, format: APIGatewayPayloadFormat, routeKey: String = "$default",
        route: String = "$default", pathParameters: [String: String] = [:], authorizer: APIGatewayV2Authorizer? = nil
    ) -> [UInt8] {
        let incoming = IncomingHTTPRequest(
            method: request.method, target: request.target,
            headers: request.headers.map { IncomingHTTPRequest.Header($0.name, $0.value) }, body: request.body,
            sourceIP: request.headers["X-Forwarded-For"] ?? "127.0.0.1")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        switch format {
        case .httpAPIv2:
            let event = APIGatewayV2Request(
                incoming, source: localSource(stage: "$default"), routeKey: routeKey,
                pathParameters: pathParameters.isEmpty ? nil : pathParameters, authorizer: authorizer)
            return (try? Array(encoder.encode(event))) ?? []
        case .restV1:
            // A REST API's catch-all resource is `/{proxy+}`.
            let resource = route == "$default" ? "/{proxy+}" : route
            var parameters = pathParameters
            if route == "$default" { parameters["proxy"] = String(incoming.path.drop { $0 == "/" }) }
            let event = APIGatewayV1Request(
                incoming, source: localSource(stage: "local"), resource: resource,
                pathParameters: parameters.isEmpty ? nil : parameters)
            return (try? Array(encoder.encode(event))) ?? []
        }
    }

    /// The local API's account (moto's), id and a fresh request id.
    static func localSource(stage: String) -> APIGatewayRequestSource {
        APIGatewayRequestSource(
            accountID: "123456789012", apiID: "local", stage: stage, requestID: UUID().uuidString.lowercased())
    }

    // MARK: Invocation → response

    public static func response(for result: InvocationReport.Result, format: APIGatewayPayloadFormat) -> HTTPResponse {
        guard case .response(let payload) = result else {
            // API Gateway answers a function error, a timeout or a crash alike.
            return internalServerError()
        }
        switch format {
        case .httpAPIv2: return v2Response(payload)
        case .restV1: return v1Response(payload)
        }
    }

    static func internalServerError() -> HTTPResponse {
        HTTPResponse(
            status: 502, headers: ["Content-Type": "application/json"],
            body: Array(#"{"message":"Internal Server Error"}"#.utf8))
    }

    /// Payload format 2.0: a JSON object with `statusCode` is a response description;
    /// anything else valid JSON is the body of a 200 `application/json` answer.
    static func v2Response(_ payload: [UInt8]) -> HTTPResponse {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else {
            return internalServerError()
        }
        guard case .object(let object) = value, object["statusCode"] != nil else {
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: payload)
        }
        guard let described = try? JSONDecoder().decode(APIGatewayV2Response.self, from: Data(payload)),
            let body = decodedBody(described.body, isBase64Encoded: described.isBase64Encoded ?? false)
        else { return internalServerError() }
        var headers = HTTPHeaders()
        for (name, value) in (described.headers ?? [:]).sorted(by: { $0.key < $1.key }) { headers.add(name, value) }
        for cookie in described.cookies ?? [] { headers.add("Set-Cookie", cookie) }
        if !headers.contains("Content-Type"), !body.isEmpty { headers.add("Content-Type", "application/json") }
        return HTTPResponse(status: described.statusCode, headers: headers, body: body)
    }

    /// The proxy integration: `statusCode` is required; `headers` and `multiValueHeaders`
    /// merge, the multi-value ones adding every value.
    static func v1Response(_ payload: [UInt8]) -> HTTPResponse {
        guard let described = try? JSONDecoder().decode(APIGatewayV1Response.self, from: Data(payload)),
            let body = decodedBody(described.body, isBase64Encoded: described.isBase64Encoded ?? false)
        else { return internalServerError() }
        var headers = HTTPHeaders()
        let multi = described.multiValueHeaders ?? [:]
        for (name, value) in (described.headers ?? [:]).sorted(by: { $0.key < $1.key })
        where !multi.keys.contains(where: { $0.caseInsensitiveEquals(name) }) {
            headers.add(name, value)
        }
        for (name, values) in multi.sorted(by: { $0.key < $1.key }) {
            for value in values { headers.add(name, value) }
        }
        return HTTPResponse(status: described.statusCode, headers: headers, body: body)
    }

    static func decodedBody(_ body: String?, isBase64Encoded: Bool) -> [UInt8]? {
        guard let body else { return [] }
        guard isBase64Encoded else { return Array(body.utf8) }
        return Data(base64Encoded: body).map(Array.init)
    }
}
