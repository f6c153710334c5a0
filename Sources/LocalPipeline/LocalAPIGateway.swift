import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaHTTP
import LambdaTesting
import LoopbackHTTP
import Synchronization

/// The payload format API Gateway sends the function.
public enum APIGatewayPayloadFormat: Sendable, Equatable {
    /// HTTP API, payload format 2.0.
    case httpAPIv2
    /// REST API (and HTTP API payload 1.0): the Lambda proxy integration.
    case restV1
}

/// Plays API Gateway on loopback for one function: each HTTP request becomes a proxy event,
/// the function runs through the Runtime API emulator on a warm process, and its answer is
/// turned back into an HTTP response by API Gateway's rules.
///
/// Each process (execution environment) handles one event at a time, as in Lambda;
/// concurrent HTTP requests beyond the pool's size wait their turn.
public final class LocalAPIGateway: Sendable {
    public let pool: LambdaPool
    public let format: APIGatewayPayloadFormat
    private let server: LoopbackHTTPServer
    private let onInvocation: @Sendable (InvocationRecord) -> Void

    /// One request as it went through, for the one-line log.
    public struct InvocationRecord: Sendable {
        public var method: String
        public var target: String
        public var status: Int
        public var report: InvocationReport
    }

    public convenience init(
        lambda: LocalLambda, format: APIGatewayPayloadFormat = .httpAPIv2, host: String = "127.0.0.1", port: Int = 0,
        onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        try self.init(pool: LambdaPool([lambda]), format: format, host: host, port: port, onInvocation: onInvocation)
    }

    /// Serves with several processes of the function, so that concurrent requests run
    /// concurrently, as Lambda scales out.
    public init(
        pool: LambdaPool, format: APIGatewayPayloadFormat = .httpAPIv2, host: String = "127.0.0.1", port: Int = 0,
        onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        self.pool = pool
        self.format = format
        self.onInvocation = onInvocation
        // API Gateway refuses payloads over 10 MB; so does this.
        server = try LoopbackHTTPServer(host: host, port: port, maximumBodySize: 10 << 20) { request in
            let event = LocalAPIGateway.event(for: request, format: format)
            let report = pool.invoke(event)
            let response = LocalAPIGateway.response(for: report.result, format: format)
            onInvocation(InvocationRecord(method: request.method, target: request.target, status: response.status, report: report))
            return .response(response)
        }
    }

    deinit { server.stop() }

    public var port: Int { server.port }
    public var url: String { "http://\(server.authority)" }

    /// Stops listening. The function's process is the caller's to shut down.
    public func stop() { server.stop() }

    // MARK: Request → event

    public static func event(for request: HTTPServerRequest, format: APIGatewayPayloadFormat) -> [UInt8] {
        let path = String(request.path)
        let rawQuery = request.query.map(String.init) ?? ""
        let (body, isBase64) = bodyField(request)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        switch format {
        case .httpAPIv2:
            var headers: [String: String] = [:]
            var cookies: [String] = []
            for (name, value) in request.headers {
                let lower = name.lowercased()
                if lower == "cookie" {
                    // HTTP API moves cookies out of the headers into `cookies`, one per entry.
                    cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    continue
                }
                // HTTP API joins repeated headers with commas.
                headers[lower] = headers[lower].map { $0 + "," + value } ?? value
            }
            let sourceIp = headers["x-forwarded-for"] ?? "127.0.0.1"
            var event = APIGatewayV2Request.make(
                method: request.method, path: path, headers: headers, body: body, isBase64Encoded: isBase64,
                rawQueryString: rawQuery, routeKey: "$default", cookies: cookies.isEmpty ? nil : cookies,
                stage: "$default", sourceIp: sourceIp)
            if let host = headers["host"] {
                event.headers["host"] = host
                event.requestContext.domainName = host
            }
            if body == nil { event.headers.removeValue(forKey: "content-length") }
            return (try? Array(encoder.encode(event))) ?? []
        case .restV1:
            var multi: [String: [String]] = [:]
            for (name, value) in request.headers { multi[name, default: []].append(value) }
            let query = Optional(QueryString.multiValue(rawQuery)).flatMap { $0.isEmpty ? nil : $0 }
            var event = APIGatewayV1Request.make(
                method: request.method, path: path, headers: multi.compactMapValues(\.last), body: body, isBase64Encoded: isBase64,
                queryStringParameters: query, resource: "/{proxy+}",
                pathParameters: ["proxy": String(path.drop { $0 == "/" })], stage: "local",
                sourceIp: request.headers["X-Forwarded-For"] ?? "127.0.0.1")
            // The builder adds API Gateway's own headers; a local request has only its own.
            event.headers = multi.compactMapValues(\.last)
            event.multiValueHeaders = multi
            return (try? Array(encoder.encode(event))) ?? []
        }
    }

    /// Text bodies travel as they are; anything else base64-encoded, as API Gateway does for
    /// content it does not know to be text.
    static func bodyField(_ request: HTTPServerRequest) -> (String?, Bool) {
        guard !request.body.isEmpty else { return (nil, false) }
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        let textual = contentType.isEmpty || contentType.hasPrefix("text/") || contentType.contains("json")
            || contentType.contains("xml") || contentType.contains("x-www-form-urlencoded") || contentType.contains("javascript")
        if textual, let text = String(validating: request.body, as: UTF8.self) { return (text, false) }
        return (Data(request.body).base64EncodedString(), true)
    }

    // MARK: Invocation → response

    public static func response(for result: InvocationReport.Result, format: APIGatewayPayloadFormat) -> HTTPResponse {
        guard case let .response(payload) = result else {
            // API Gateway answers a function error, a timeout or a crash alike.
            return internalServerError()
        }
        switch format {
        case .httpAPIv2: return v2Response(payload)
        case .restV1: return v1Response(payload)
        }
    }

    static func internalServerError() -> HTTPResponse {
        HTTPResponse(status: 502, headers: ["Content-Type": "application/json"], body: Array(#"{"message":"Internal Server Error"}"#.utf8))
    }

    /// Payload format 2.0: a JSON object with `statusCode` is a response description;
    /// anything else valid JSON is the body of a 200 `application/json` answer.
    static func v2Response(_ payload: [UInt8]) -> HTTPResponse {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else {
            return internalServerError()
        }
        guard case let .object(object) = value, object["statusCode"] != nil else {
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

/// Execution environments of one function: each runs one invocation at a time, as in
/// Lambda, and a request waits for a free one.
public final class LambdaPool: Sendable {
    public let lambdas: [LocalLambda]
    private let free: Mutex<[LocalLambda]>
    private let available: DispatchSemaphore

    public init(_ lambdas: [LocalLambda]) {
        precondition(!lambdas.isEmpty, "a pool needs at least one function process")
        self.lambdas = lambdas
        free = Mutex(lambdas)
        available = DispatchSemaphore(value: lambdas.count)
    }

    public func invoke(_ event: [UInt8]) -> InvocationReport {
        available.wait()
        let lambda = free.withLock { $0.removeLast() }
        defer {
            free.withLock { $0.append(lambda) }
            available.signal()
        }
        return lambda.invoke(event)
    }
}
