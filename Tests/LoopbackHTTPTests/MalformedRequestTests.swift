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
