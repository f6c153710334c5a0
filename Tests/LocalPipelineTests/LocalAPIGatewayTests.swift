import Foundation
import LambdaEmulator
import LambdaHTTP
import TestSupport
import Testing

@testable import LocalPipeline

/// Answers with the response its request body describes (`{"reply": ...}`), else echoes the event.
let replyingFunction = """
    import json
    def handler(event, context):
        body = event.get("body")
        if body and event.get("isBase64Encoded") is False:
            request = json.loads(body)
            if "fail" in request:
                raise ValueError(request["fail"])
            if "reply" in request:
                return request["reply"]
        return event
    """

func echoLambda() throws -> LocalLambda {
    try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: [Products.path("echo")], functionName: "echo", functionOutput: LocalLambdaConfiguration.discard))
}

@Suite struct LocalAPIGatewayTests {
    func send(
        _ gateway: LocalAPIGateway, _ method: String, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = []
    ) throws -> HTTPResponse {
        try HTTPClient().execute(
            HTTPRequest(method: method, url: gateway.url + target, headers: headers, body: body, timeout: .seconds(30)))
    }

    @Test func anHTTPRequestBecomesAV2EventAndAPlainAnswerA200JSONBody() throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(lambda: lambda, format: .httpAPIv2)
        defer { gateway.stop() }
        let response = try send(
            gateway, "POST", "/orders/7?expand=items&expand=notes",
            headers: ["Content-Type": "application/json", "Cookie": "session=abc; theme=dark", "X-Custom": "one"],
            body: Array(#"{"hello":"world"}"#.utf8))
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        let event = try #require(jsonObject(response.body))
        #expect(event["version"] as? String == "2.0")
        #expect(event["rawPath"] as? String == "/orders/7")
        #expect(event["rawQueryString"] as? String == "expand=items&expand=notes")
        #expect((event["queryStringParameters"] as? [String: String])?["expand"] == "items,notes")
        #expect(event["cookies"] as? [String] == ["session=abc", "theme=dark"])
        let headers = try #require(event["headers"] as? [String: String])
        #expect(headers["x-custom"] == "one")
        #expect(headers["cookie"] == nil)
        #expect(event["body"] as? String == #"{"hello":"world"}"#)
        #expect(event["isBase64Encoded"] as? Bool == false)
        let http = try #require((event["requestContext"] as? [String: Any])?["http"] as? [String: Any])
        #expect(http["method"] as? String == "POST")
        #expect(http["path"] as? String == "/orders/7")
    }

    @Test func binaryBodiesTravelBase64Encoded() throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(lambda: lambda)
        defer { gateway.stop() }
        let bytes: [UInt8] = [0, 1, 2, 255, 254]
        let response = try send(
            gateway, "PUT", "/blob", headers: ["Content-Type": "application/octet-stream"], body: bytes)
        let event = try #require(jsonObject(response.body))
        #expect(event["isBase64Encoded"] as? Bool == true)
        #expect(event["body"] as? String == Data(bytes).base64EncodedString())
    }

    @Test func restRequestsBecomeV1EventsWithMultiValueParameters() throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(lambda: lambda, format: .restV1)
        defer { gateway.stop() }
        let response = try send(gateway, "GET", "/items?tag=a&tag=b", headers: ["Accept": "application/json"])
        // A v1 response needs statusCode: the echoed event has none, so API Gateway answers 502.
        #expect(response.status == 502)
        let event = try #require(
            jsonObject(
                LocalAPIGateway.event(
                    for: .init(method: "GET", target: "/items?tag=a&tag=b", headers: ["Accept": "application/json"]),
                    format: .restV1)))
        #expect(event["httpMethod"] as? String == "GET")
        #expect(event["path"] as? String == "/items")
        #expect((event["multiValueQueryStringParameters"] as? [String: [String]])?["tag"] == ["a", "b"])
        #expect((event["queryStringParameters"] as? [String: String])?["tag"] == "b")
        #expect((event["multiValueHeaders"] as? [String: [String]])?["Accept"] == ["application/json"])
    }

    /// Regression: these query strings crashed `start-api` (an index out of range in the query
    /// parser, in both payload formats). Each is now an event, served by a gateway that lives on.
    @Test(arguments: ["/?=", "/?&=&==&%", "/?==", "/?&&", "/?%zz=%", "/?a=1&=2&&b", "/?%FF%FE=%C3"])
    func hostileQueryStringsBecomeEvents(target: String) throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        for format in [APIGatewayPayloadFormat.httpAPIv2, .restV1] {
            let event = try #require(
                jsonObject(LocalAPIGateway.event(for: .init(method: "GET", target: target), format: format)))
            #expect(event["path"] as? String == "/" || event["rawPath"] as? String == "/", "\(format) \(target)")
            let gateway = try LocalAPIGateway(lambda: lambda, format: format)
            defer { gateway.stop() }
            // v2 echoes the event as a 200 body; v1 needs a statusCode the echo lacks, so 502.
            #expect(
                try send(gateway, "GET", target).status == (format == .httpAPIv2 ? 200 : 502), "\(format) \(target)")
            #expect(try send(gateway, "GET", "/still-serving").status == (format == .httpAPIv2 ? 200 : 502))
        }
    }

    @Test func aDescribedResponseGivesStatusHeadersCookiesAndDecodedBody() throws {
        let lambda = try pythonLambda(replyingFunction)
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(lambda: lambda)
        defer { gateway.stop() }
        let reply =
            #"{"reply":{"statusCode":201,"headers":{"x-made":"here","content-type":"image/png"},"cookies":["a=1; Path=/","b=2"],"body":"AAEC/w==","isBase64Encoded":true}}"#
        let response = try send(
            gateway, "POST", "/", headers: ["Content-Type": "application/json"], body: Array(reply.utf8))
        #expect(response.status == 201)
        #expect(response.headers["x-made"] == "here")
        #expect(response.headers["Content-Type"] == "image/png")
        #expect(response.headers.values("Set-Cookie") == ["a=1; Path=/", "b=2"])
        #expect(response.body == [0, 1, 2, 255])
    }

    @Test func aFunctionErrorIsA502LikeAPIGateway() throws {
        let lambda = try pythonLambda(replyingFunction)
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(lambda: lambda)
        defer { gateway.stop() }
        let response = try send(
            gateway, "POST", "/", headers: ["Content-Type": "application/json"], body: Array(#"{"fail":"boom"}"#.utf8))
        #expect(response.status == 502)
        #expect(response.body == Array(#"{"message":"Internal Server Error"}"#.utf8))
    }

    @Test func payloadFormat2Rules() {
        func v2(_ payload: String) -> HTTPResponse {
            LocalAPIGateway.response(
                for: .response(Array(payload.utf8)), format: .httpAPIv2)
        }
        // Not an object, or an object without statusCode: the 200 JSON body itself.
        #expect(v2(#""text""#).status == 200)
        #expect(v2(#""text""#).body == Array(#""text""#.utf8))
        #expect(v2(#"{"message":"hi"}"#).body == Array(#"{"message":"hi"}"#.utf8))
        #expect(v2("[1,2]").headers["Content-Type"] == "application/json")
        #expect(v2(#"{"statusCode":204}"#).status == 204)
        #expect(v2(#"{"statusCode":204}"#).body.isEmpty)
        // Not JSON at all, or base64 that is not: API Gateway cannot map it.
        #expect(v2("not json").status == 502)
        #expect(v2(#"{"statusCode":200,"body":"%%%","isBase64Encoded":true}"#).status == 502)
    }

    @Test func restResponsesMergeHeadersAndMultiValueHeaders() {
        let payload =
            #"{"statusCode":200,"headers":{"X-One":"1","Set-Cookie":"ignored"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"ok"}"#
        let response = LocalAPIGateway.response(
            for: .response(Array(payload.utf8)), format: .restV1)
        #expect(response.status == 200)
        #expect(response.headers["X-One"] == "1")
        #expect(response.headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(response.body == Array("ok".utf8))
        let timedOut = LocalAPIGateway.response(
            for: .timedOut(.seconds(3)), format: .restV1)
        #expect(timedOut.status == 502)
    }
}
