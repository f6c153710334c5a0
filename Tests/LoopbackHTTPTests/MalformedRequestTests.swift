import Foundation
import LambdaHTTP
import LoopbackHTTP
import TestSupport
import Testing

/// Requests no HTTP library would send, over raw sockets: each must end in an answer and a
/// closed connection, and the server must go on serving others.
@Suite struct MalformedRequestTests {
    func server() throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer(maximumBodySize: 1 << 20) { request in .status(200, "\(request.body.count)") }
    }

    func expectStillServing(_ server: LoopbackHTTPServer) throws {
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: "http://\(server.authority)/", body: [1, 2, 3]))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "3")
    }

    /// Regression: `body.count + size` overflowed (a trap) for a chunk size near `Int.max`
    /// once a first chunk had arrived.
    @Test(arguments: ["7fffffffffffffff", "7ffffffffffffffe", "ffffffffffffffff", "10000000000000000"])
    func aHugeChunkSizeAfterAFirstChunkIsRefused(size: String) throws {
        let server = try server()
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n\(size)\r\n")
        let status = socket.receiveStatus()
        #expect(status == 413 || status == 400, "chunk size \(size): \(String(describing: status))")
        let clock = ContinuousClock()
        let start = clock.now
        let reason = String(decoding: socket.receiveAll(), as: UTF8.self)
        #expect(reason.contains("exceeds") || reason.contains("malformed chunk size"))
        #expect(clock.now - start < .seconds(5), "the server closed the connection after its refusal")
        try expectStillServing(server)
    }

    /// Regression: 4 MB of chunk-size line, chunk extension or trailers grew the server's
    /// memory by 8-12 MB per connection: nothing bounded them. Each is refused once past its limit.
    @Test(arguments: [
        ("chunk size line", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", Character("0"), 400),
        (
            "chunk extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=", Character("x"),
            400
        ),
        (
            "trailers", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: ",
            Character("y"), 431
        ),
    ])
    func unboundedLinesAreRefusedWithoutBuffering(what: String, head: String, filler: Character, expected: Int) throws {
        let server = try server()
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send(head)
        // 4 MB without a line end, sent from another thread while this one waits for the answer:
        // the server must refuse once past its limit, long before the last byte. Before the fix
        // it buffered every byte and waited for the line to end.
        let piece = [UInt8](repeating: filler.asciiValue!, count: 64 << 10)
        let sender = Thread { for _ in 0..<64 { guard socket.send(piece) else { return } } }
        sender.start()
        #expect(socket.receiveStatus() == expected, "\(what)")
        try expectStillServing(server)
    }

    @Test func manySmallChunksDoNotKeepConsumedBytes() throws {
        let server = try LoopbackHTTPServer(maximumBodySize: 8 << 20) { request in .status(200, "\(request.body.count)")
        }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        // 20,000 one-byte chunks, each with a 200-byte extension: 4 MB on the wire, 20 KB of body.
        let chunk = Array("1;\(String(repeating: "e", count: 200))\r\nz\r\n".utf8)
        var batch: [UInt8] = []
        for _ in 0..<1000 { batch += chunk }
        for _ in 0..<20 { socket.send(batch) }
        socket.send("0\r\n\r\n")
        let answer = String(decoding: socket.receiveAll(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(answer.hasSuffix("20000"))
    }
}

/// Each of the server's limits (README, "The local server's limits"), from a raw socket: the
/// refusal is the named status, and the server goes on serving others.
@Suite struct ServerLimitTests {
    func server(_ configure: (inout HTTPServerLimits) -> Void) throws -> LoopbackHTTPServer {
        var limits = HTTPServerLimits()
        configure(&limits)
        return try LoopbackHTTPServer(maximumBodySize: 1 << 20, limits: limits) { request in
            .status(200, "\(request.body.count)")
        }
    }

    func expectStillServing(_ server: LoopbackHTTPServer) throws {
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: "http://\(server.authority)/", body: [1, 2, 3]))
        #expect(response.status == 200)
    }

    @Test func aLongRequestLineIs414() throws {
        let server = try server { $0.maximumRequestLineSize = 1024 }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("GET /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(socket.receiveStatus() == 414)
        // Also when the line never ends: refused once past the limit, not buffered.
        let endless = try RawSocket(port: server.port)
        endless.send("GET /" + String(repeating: "b", count: 4096))
        #expect(endless.receiveStatus() == 414)
        try expectStillServing(server)
    }

    @Test func tooManyHeaderFieldsIs431() throws {
        let server = try server { $0.maximumHeaderCount = 20 }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        let fields = (0..<21).map { "X-Field-\($0): v\r\n" }.joined()
        socket.send("GET / HTTP/1.1\r\n\(fields)\r\n")
        #expect(socket.receiveStatus() == 431)
        // Exactly the limit is fine.
        let within = try RawSocket(port: server.port)
        within.send("GET / HTTP/1.1\r\n\((0..<20).map { "X-Field-\($0): v\r\n" }.joined())Connection: close\r\n\r\n")
        #expect(within.receiveStatus() == 431, "Connection: close is a 21st field")
        let exactly = try RawSocket(port: server.port)
        exactly.send("GET / HTTP/1.1\r\n\((0..<20).map { "X-Field-\($0): v\r\n" }.joined())\r\n")
        #expect(exactly.receiveStatus() == 200)
        try expectStillServing(server)
    }

    @Test func aLargeHeadIs431() throws {
        let server = try server { $0.maximumHeadSize = 4096 }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "z", count: 8000))\r\n\r\n")
        #expect(socket.receiveStatus() == 431)
        try expectStillServing(server)
    }

    @Test func aBodyOverTheLimitIs413() throws {
        let server = try server { _ in }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("POST / HTTP/1.1\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n")
        #expect(socket.receiveStatus() == 413)
        try expectStillServing(server)
    }

    /// A client trickling its head holds its own thread for headTimeout at most, and never
    /// anyone else's.
    @Test func aSlowHeadIs408AndBlocksNoOne() throws {
        let server = try server { $0.headTimeout = .milliseconds(600) }
        defer { server.stop() }
        let slow = try RawSocket(port: server.port)
        slow.send("GET / HTTP/1.1\r\nX-Slow: ")
        // Another client is served while the slow one dawdles.
        try expectStillServing(server)
        let started = ContinuousClock.now
        #expect(slow.receiveStatus() == 408)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aStalledBodyIs408() throws {
        let server = try server { $0.bodyStallTimeout = .milliseconds(600) }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part of it")
        #expect(socket.receiveStatus() == 408)
        let chunked = try RawSocket(port: server.port)
        chunked.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
        #expect(chunked.receiveStatus() == 408)
        try expectStillServing(server)
    }

    @Test func anIdleConnectionIsClosedQuietly() throws {
        let server = try server { $0.idleTimeout = .milliseconds(500) }
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send("GET / HTTP/1.1\r\n\r\n")
        #expect(socket.receiveStatus() == 200)
        // Nothing more is sent: the server closes the kept-alive connection, without a response.
        let started = ContinuousClock.now
        let rest = socket.receiveAll()
        #expect(ContinuousClock.now - started < .seconds(5), "the idle connection was not closed")
        #expect(!String(decoding: rest, as: UTF8.self).contains("HTTP/1.1 4"), "an idle close sends no error")
    }

    @Test func connectionsBeyondTheLimitAre503() throws {
        let server = try server { $0.maximumConnections = 3 }
        defer { server.stop() }
        // Three clients hold their connections open mid-request.
        let held = try (0..<3).map { _ in try RawSocket(port: server.port) }
        for socket in held { socket.send("GET / HTTP/1.1\r\nX-Wait: ") }
        // The server counts them once accepted: give the accept loop a moment.
        Thread.sleep(forTimeInterval: 0.2)
        let fourth = try RawSocket(port: server.port)
        #expect(fourth.receiveStatus() == 503)
        // When they go, there is room again.
        for socket in held { shutdown(socket.fd, Int32(SHUT_RDWR)) }
        Thread.sleep(forTimeInterval: 0.3)
        try expectStillServing(server)
    }
}
