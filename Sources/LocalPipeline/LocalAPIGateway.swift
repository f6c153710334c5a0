import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaHTTP
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
            onInvocation(
                InvocationRecord(
                    method: request.method, target: request.target, status: response.status, report: report))
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
        let incoming = IncomingHTTPRequest(
            method: request.method, target: request.target,
            headers: request.headers.map { IncomingHTTPRequest.Header($0.name, $0.value) }, body: request.body,
            sourceIP: request.headers["X-Forwarded-For"] ?? "127.0.0.1")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        switch format {
        case .httpAPIv2:
            let event = APIGatewayV2Request(incoming, source: localSource(stage: "$default"))
            return (try? Array(encoder.encode(event))) ?? []
        case .restV1:
            let path = incoming.path
            let event = APIGatewayV1Request(
                incoming, source: localSource(stage: "local"), resource: "/{proxy+}",
                pathParameters: ["proxy": String(path.drop { $0 == "/" })])
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
