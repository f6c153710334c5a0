import Foundation
import LambdaEmulator
import LambdaHTTP
import LoopbackHTTP
import TestSupport
import Testing

@testable import LocalPipeline

/// One local API with routes, matched as HTTP API matches them: the most specific route wins,
/// path parameters reach the event, `$default` catches the rest, and no match is a 404.
@Suite struct LocalAPIRoutesTests {
    func routes(_ pool: LambdaPool, default hasDefault: Bool) -> [APIRoute] {
        var routes = [
            APIRoute(method: "POST", path: "/events", functionName: "publish", pool: pool),
            APIRoute(method: "GET", path: "/events/{id}", functionName: "query", pool: pool),
            APIRoute(method: "GET", path: "/events/ordered", functionName: "ordered", pool: pool),
            APIRoute(method: "ANY", path: "/files/{path+}", functionName: "files", pool: pool),
        ]
        if hasDefault { routes.append(APIRoute(functionName: "fallback", pool: pool)) }
        return routes
    }

    func send(_ gateway: LocalAPIGateway, _ method: String, _ target: String) throws -> HTTPResponse {
        try HTTPClient().execute(HTTPRequest(method: method, url: gateway.url + target, timeout: .seconds(30)))
    }

    @Test func routesMatchByMethodAndPathMostSpecificFirst() throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let records = Guarded<[LocalAPIGateway.InvocationRecord]>([])
        let gateway = try LocalAPIGateway(routes: routes(LambdaPool([lambda]), default: false)) { record in
            records.update { $0.append(record) }
        }
        defer { gateway.stop() }

        func event(_ method: String, _ target: String) throws -> [String: Any] {
            let response = try send(gateway, method, target)
            #expect(response.status == 200, "\(method) \(target)")
            return try #require(jsonObject(response.body))
        }
        let query = try event("GET", "/events/evt%2D42")
        #expect(query["routeKey"] as? String == "GET /events/{id}")
        #expect(query["pathParameters"] as? [String: String] == ["id": "evt-42"])
        #expect((query["requestContext"] as? [String: Any])?["routeKey"] as? String == "GET /events/{id}")
        // A literal segment beats a variable one.
        #expect(try event("GET", "/events/ordered")["routeKey"] as? String == "GET /events/ordered")
        #expect(try event("POST", "/events")["pathParameters"] == nil)
        let files = try event("DELETE", "/files/a/b/c.txt")
        #expect(files["routeKey"] as? String == "ANY /files/{path+}")
        #expect(files["pathParameters"] as? [String: String] == ["path": "a/b/c.txt"])

        // No route: API Gateway's own 404, and the function never runs.
        for (method, target) in [
            ("GET", "/events"), ("PUT", "/events/1"), ("GET", "/files"), ("GET", "/"), ("GET", "/events/1/x"),
        ] {
            let response = try send(gateway, method, target)
            #expect(response.status == 404, "\(method) \(target)")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"message":"Not Found"}"#)
        }
        let log: [LocalAPIGateway.InvocationRecord] = records.update { $0 }
        let notFound = log.filter { $0.status == 404 }
        #expect(notFound.count == 5)
        #expect(notFound.allSatisfy { $0.report == nil && $0.rejection == "no route" })
        let routed = log.first { $0.route == "GET /events/{id}" }
        #expect(routed?.functionName == "query")
    }

    @Test func theDefaultRouteCatchesWhatNoOtherRouteDoes() throws {
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(routes: routes(LambdaPool([lambda]), default: true))
        defer { gateway.stop() }
        let response = try send(gateway, "PATCH", "/anything/else")
        #expect(response.status == 200)
        #expect(jsonObject(response.body)?["routeKey"] as? String == "$default")
        #expect(jsonObject(try send(gateway, "POST", "/events").body)?["routeKey"] as? String == "POST /events")
    }

    @Test func theWebPageIsServedBesideTheRoutesAndNothingOutsideItsRoot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("<!doctype html><title>t</title>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("export const a = 1;".utf8).write(to: root.appendingPathComponent("js/app.js"))
        try Data("secret".utf8).write(to: root.appendingPathComponent(".env"))
        defer { try? FileManager.default.removeItem(at: root) }
        let lambda = try echoLambda()
        defer { lambda.shutdown() }
        let gateway = try LocalAPIGateway(routes: routes(LambdaPool([lambda]), default: true), webRoot: root.path)
        defer { gateway.stop() }

        let index = try send(gateway, "GET", "/")
        #expect(index.status == 200)
        #expect(index.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(String(decoding: index.body, as: UTF8.self).hasPrefix("<!doctype html>"))
        // Modules load only with a JavaScript type.
        #expect(try send(gateway, "GET", "/js/app.js").headers["Content-Type"] == "text/javascript; charset=utf-8")
        // Routes first; a path with no file goes on to $default.
        #expect(jsonObject(try send(gateway, "POST", "/events").body)?["routeKey"] as? String == "POST /events")
        #expect(jsonObject(try send(gateway, "GET", "/missing.html").body)?["routeKey"] as? String == "$default")
        for target in ["/.env", "/js/../.env", "/%2e%2e/etc/passwd", "/js/%2E%2E/.env"] {
            let response = try send(gateway, "GET", target)
            #expect(!String(decoding: response.body, as: UTF8.self).contains("secret"), "\(target)")
            #expect(jsonObject(response.body)?["routeKey"] as? String == "$default", "\(target)")
        }
    }
}
