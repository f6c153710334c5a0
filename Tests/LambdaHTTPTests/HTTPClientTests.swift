import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import Testing

@Suite struct HTTPClientTests {
    @Test func roundTripsMethodHeadersAndBinaryBody() throws {
        let server = try LoopbackHTTPServer { request in
            var headers: HTTPHeaders = ["X-Method": request.method, "X-Target": request.target]
            headers.add("X-Echo", request.headers["X-Custom"] ?? "missing")
            headers.add("Set-Cookie", "a=1")
            headers.add("Set-Cookie", "b=2")
            return .response(HTTPResponse(status: 201, headers: headers, body: request.body.reversed()))
        }
        defer { server.stop() }
        let client = HTTPClient()
        let body: [UInt8] = [0, 1, 2, 255, 13, 10]
        let response = try client.execute(
            HTTPRequest(
                method: "PUT", url: "http://\(server.authority)/a/b?x=1", headers: ["X-Custom": "v"], body: body))
        #expect(response.status == 201)
        #expect(response.body == body.reversed())
        #expect(response.headers["x-method"] == "PUT")
        #expect(response.headers["X-Target"] == "/a/b?x=1")
        #expect(response.headers["X-Echo"] == "v")
        #expect(response.headers.values("set-cookie") == ["a=1", "b=2"])
    }

    @Test func reusesOneConnectionAcrossRequests() throws {
        let server = try LoopbackHTTPServer { request in .status(200, request.method) }
        defer { server.stop() }
        let client = HTTPClient()
        for method in ["GET", "POST", "DELETE", "GET"] {
            let response = try client.execute(HTTPRequest(method: method, url: "http://\(server.authority)/"))
            #expect(String(decoding: response.body, as: UTF8.self) == method)
        }
        // One kept-alive connection: the server saw exactly one accept.
        #expect(server.acceptedConnections == 1)
    }

    /// One handle serves every request (the pool keeps one idle), and it is no longer reset
    /// between them: nothing of one request (method, body, headers, timeout) may reach the next.
    @Test func nothingOfARequestStaysForTheNextOnTheSameHandle() throws {
        let server = try LoopbackHTTPServer { request in
            if request.target == "/slow" { Thread.sleep(forTimeInterval: 0.4) }
            let seen = "\(request.method) \(request.body.count) \(request.headers["X-Only-Once"] ?? "-")"
            return .status(200, seen)
        }
        defer { server.stop() }
        let client = HTTPClient(configuration: .init(maximumIdleHandles: 1))
        let url = "http://\(server.authority)/"
        func send(
            _ method: String, body: String = "", headers: HTTPHeaders = [:], timeout: Duration? = nil, path: String = ""
        )
            throws -> HTTPResponse
        {
            try client.execute(
                HTTPRequest(method: method, url: url + path, headers: headers, body: Array(body.utf8), timeout: timeout)
            )
        }
        func seen(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

        #expect(
            seen(try send("POST", body: "abc", headers: ["X-Only-Once": "1"], timeout: .milliseconds(300)))
                == "POST 3 1")
        // HEAD: no body comes back; the GET after it must get one again.
        let head = try send("HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(seen(try send("GET")) == "GET 0 -")
        #expect(seen(try send("PUT", body: "hello")) == "PUT 5 -")
        #expect(seen(try send("DELETE")) == "DELETE 0 -")
        #expect(seen(try send("GET")) == "GET 0 -")
        // A method given in lower case is sent in upper case, as HTTP methods are.
        #expect(seen(try send("patch")) == "PATCH 0 -")
        // The POST's 300 ms timeout is gone: a 400 ms answer without a timeout arrives.
        #expect(seen(try send("GET", path: "slow")) == "GET 0 -")
        #expect(server.acceptedConnections == 1)
    }

    /// The header lines are made again only when a request's headers differ from those of the
    /// last few requests on the handle: the same headers must still go out, and changed ones too.
    @Test func eachRequestSendsItsOwnHeadersOnAReusedHandle() throws {
        let server = try LoopbackHTTPServer { request in
            let fields = ["X-A", "X-B", "Content-Type"].map { "\($0)=\(request.headers[$0] ?? "-")" }
            return .status(200, fields.joined(separator: " "))
        }
        defer { server.stop() }
        let client = HTTPClient(configuration: .init(maximumIdleHandles: 1))
        func seen(_ headers: HTTPHeaders, body: String = "") throws -> String {
            let response = try client.execute(
                HTTPRequest(
                    method: "POST", url: "http://\(server.authority)/", headers: headers, body: Array(body.utf8)))
            return String(decoding: response.body, as: UTF8.self)
        }
        let json: HTTPHeaders = ["Content-Type": "application/json", "X-A": "1"]
        #expect(try seen(json, body: "{}") == "X-A=1 X-B=- Content-Type=application/json")
        #expect(try seen(json, body: "[]") == "X-A=1 X-B=- Content-Type=application/json")
        var changed = json
        changed.replaceOrAdd("X-A", "2")
        #expect(try seen(changed) == "X-A=2 X-B=- Content-Type=application/json")
        #expect(try seen(["X-B": "3"]) == "X-A=- X-B=3 Content-Type=-")
        #expect(try seen([:]) == "X-A=- X-B=- Content-Type=-")
        #expect(try seen(json) == "X-A=1 X-B=- Content-Type=application/json")
        // More distinct sets than the handle keeps lists for, then back to the first ones: each
        // still goes out as its own, whether its list was kept or made again.
        for round in 0..<2 {
            for value in 1...6 {
                #expect(try seen(["X-B": "\(value)"]) == "X-A=- X-B=\(value) Content-Type=-", "round \(round)")
            }
        }
        #expect(try seen(json) == "X-A=1 X-B=- Content-Type=application/json")
        #expect(try seen([:]) == "X-A=- X-B=- Content-Type=-")
        #expect(server.acceptedConnections == 1)
    }

    /// A response's fields are kept as received and read on lookup: names case-insensitively,
    /// values whole (colons included), repeated fields in order, empty values as empty, and only
    /// the fields after the last status line (a 100 Continue's are not the response's).
    @Test func responseFieldsAreReadAsTheyWereReceived() throws {
        let raw = Array(
            ("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Url: http://a:1/b \r\nX-Empty:\r\n"
                + "set-cookie: a=1\r\nSet-Cookie:\tb=2\r\nConnection: close\r\n\r\nok").utf8)
        let server = try LoopbackHTTPServer { _ in .raw(raw) }
        defer { server.stop() }
        let response = try HTTPClient().execute(HTTPRequest(url: "http://\(server.authority)/"))
        #expect(response.status == 200)
        #expect(response.body == Array("ok".utf8))
        let headers = response.headers
        #expect(headers["x-url"] == "http://a:1/b")
        #expect(headers["X-EMPTY"] == "")
        #expect(headers["X-Interim"] == nil)
        #expect(headers["X-Missing"] == nil)
        #expect(headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.contains("content-length") && !headers.contains("Content-Lengt"))
        #expect(
            headers.fields.map(\.name) == [
                "Content-Length", "X-Url", "X-Empty", "set-cookie", "Set-Cookie", "Connection",
            ])
        // Changed, the fields become an ordinary list.
        var changed = headers
        changed.remove("set-cookie")
        changed.add("X-New", "1")
        #expect(changed.fields.map(\.name) == ["Content-Length", "X-Url", "X-Empty", "Connection", "X-New"])
        #expect(headers.values("Set-Cookie") == ["a=1", "b=2"], "the received value is unchanged")
        #expect(changed != headers)
        #expect(
            HTTPHeaders(headers.fields.map { ($0.name, $0.value) }) == headers, "equal to the same fields as a list")
    }

    @Test func carriesLargeBodiesBothWays() throws {
        let server = try LoopbackHTTPServer { request in .response(HTTPResponse(status: 200, body: request.body)) }
        defer { server.stop() }
        let body = [UInt8](repeating: 0x5A, count: 7 << 20) + [1, 2, 3]
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: "http://\(server.authority)/", body: body))
        #expect(response.body == body)
    }

    @Test func refusedConnectionIsAClearError() throws {
        // Bind and stop a server to get a port nobody listens on.
        let server = try LoopbackHTTPServer { _ in .status(200) }
        let url = "http://\(server.authority)/"
        server.stop()
        #expect(throws: HTTPClientError.self) { try HTTPClient().execute(HTTPRequest(url: url)) }
        do {
            _ = try HTTPClient().execute(HTTPRequest(url: url))
        } catch {
            guard case .connectionFailed(let failedURL, _) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(failedURL == url)
            #expect(error.isTransient)
        }
    }

    @Test func timeoutEndsASlowRequest() throws {
        let server = try LoopbackHTTPServer { _ in
            Thread.sleep(forTimeInterval: 2)
            return .status(200)
        }
        defer { server.stop() }
        do {
            _ = try HTTPClient().execute(HTTPRequest(url: "http://\(server.authority)/", timeout: .milliseconds(200)))
            Issue.record("expected a timeout")
        } catch {
            #expect(error == .timedOut(url: "http://\(server.authority)/", after: .milliseconds(200)))
        }
    }

    @Test func droppedConnectionIsATransferFailure() throws {
        let server = try LoopbackHTTPServer { _ in .dropConnection }
        defer { server.stop() }
        do {
            _ = try HTTPClient().execute(HTTPRequest(url: "http://\(server.authority)/"))
            Issue.record("expected a failure")
        } catch {
            guard case .transferFailed = error else {
                Issue.record("expected transferFailed, got \(error)")
                return
            }
        }
    }

    @Test func oversizedRequestBodyIsRefusedWith413() throws {
        let server = try LoopbackHTTPServer(maximumBodySize: 1024) { _ in .status(200) }
        defer { server.stop() }
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: "http://\(server.authority)/", body: Array(repeating: 1, count: 2048)))
        #expect(response.status == 413)
    }

    @Test func caBundleHonoursSSLCertFileThenWellKnownPaths() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID()).pem").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(CABundle.locate(environment: ["SSL_CERT_FILE": file]) == file)
        let fallback = CABundle.locate(environment: ["SSL_CERT_FILE": "/nonexistent"])
        #expect(fallback == CABundle.wellKnownPaths.first { FileManager.default.isReadableFile(atPath: $0) })
    }
}
