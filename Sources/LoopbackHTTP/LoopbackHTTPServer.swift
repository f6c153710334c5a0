import Foundation
import LambdaHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request as the server received it.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query string.
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A chunked body the handler reads as it arrives, instead of `body`, when the server's
    /// `streamsRequestBody` chose so for this request.
    public var bodyStream: RequestBodyStream?
    /// Which of the server's connections it came on, counting accepted connections from 1; 0
    /// for a request made up without one (a unit test's). A server that outlives its clients
    /// tells an earlier client's request from a later one's by it.
    public var connectionNumber = 0

    public init(method: String, target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The raw query string after `?`, or `nil` when there is none.
    public var query: Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: mark)...]
    }
}

/// What a handler does with a request.
public enum HTTPServerReply: Sendable {
    case response(HTTPResponse)
    /// Close the connection without answering, as a crashed or overloaded peer would.
    case dropConnection
    /// These bytes as they are, then the connection closed: for playing a broken peer (a
    /// truncated body, a garbled status line) in tests of the clients.
    case raw([UInt8])
    /// A chunked response whose body the closure writes as it produces it.
    case stream(status: Int, headers: HTTPHeaders, body: @Sendable (ResponseBodyWriter) -> Void)

    public static func status(_ status: Int, _ body: String = "", contentType: String = "text/plain") -> HTTPServerReply
    {
        .response(HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(body.utf8)))
    }
}

public typealias HTTPServerHandler = @Sendable (HTTPServerRequest) -> HTTPServerReply

public enum LoopbackHTTPServerError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, errno: Int32)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let code):
            "cannot listen on \(host):\(port): \(String(cString: strerror(code)))"
        }
    }
}

/// What one client may cost the server. A request over a size limit is answered (413, 414,
/// 431) and its connection closed; a head that does not arrive in time is 408; connections
/// beyond `maximumConnections` are answered 503 at once, so a flood cannot exhaust threads.
/// Each connection has its own thread, so a slow client holds only that one.
public struct HTTPServerLimits: Sendable, Equatable {
    /// The request line (method, target, version): 414 beyond.
    public var maximumRequestLineSize = 8 << 10
    /// Header fields in one request: 431 beyond.
    public var maximumHeaderCount = 100
    /// The request line and headers together, and separately a chunked body's trailers: 431.
    public var maximumHeadSize = 64 << 10
    /// From a request's first byte to the end of its head: 408 beyond.
    public var headTimeout: Duration = .seconds(10)
    /// The longest pause inside a request body. Long by default: a streamed response through
    /// the Runtime API may pause as long as a function may run (15 minutes).
    public var bodyStallTimeout: Duration = .seconds(15 * 60)
    /// A kept-alive connection with no request for this long is closed. Longer than a
    /// function may run, because a runtime's connection idles while its handler works.
    public var idleTimeout: Duration = .seconds(20 * 60)
    /// Open connections at once: the next is answered 503 and closed.
    public var maximumConnections = 512

    public init() {}
}

/// A small blocking HTTP/1.1 server for loopback: one thread per connection, keep-alive,
/// `Content-Length` and chunked request bodies.
///
/// It exists so that the developer tool, tests and benchmarks can play AWS's side of a
/// protocol (the Runtime API, a local API Gateway, a misbehaving endpoint) without
/// SwiftNIO's build cost. A handler may block: a long-poll simply holds its connection's
/// thread, exactly as the Runtime API's `/next` needs.
public final class LoopbackHTTPServer: Sendable {
    public let host: String
    public let port: Int
    /// Request bodies above this are answered 413 and the connection closed: the one limit
    /// each protocol sets for itself (6 MB for Lambda's payloads, 10 MB for API Gateway's).
    public let maximumBodySize: Int
    public let limits: HTTPServerLimits
    /// Which chunked requests the handler reads as a stream (`HTTPServerRequest.bodyStream`).
    private let streamsRequestBody: @Sendable (HTTPServerRequest) -> Bool

    private let listener: Int32
    private let handler: HTTPServerHandler
    // Guarded (a pthread mutex), not Synchronization's Mutex: ThreadSanitizer sees pthread
    // locking, but not the futex inside the prebuilt Synchronization module, and reported the
    // connection threads' and stop()'s accesses to this state as races.
    private let state = Guarded(State())

    private struct State {
        var stopped = false
        var connections: Set<Int32> = []
        var accepted = 0
    }

    /// Connections accepted so far; tests use it to see that a client kept one alive.
    public var acceptedConnections: Int { state.update { $0.accepted } }

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maximumBodySize: Int = 64 << 20,
        limits: HTTPServerLimits = HTTPServerLimits(),
        streamsRequestBody: @escaping @Sendable (HTTPServerRequest) -> Bool = { _ in false },
        handler: @escaping HTTPServerHandler
    ) throws {
        // CLOEXEC: a bootstrap the emulator spawns must not inherit the server's sockets.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTPServerError.cannotListen(host: host, port: port, errno: errno) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw LoopbackHTTPServerError.cannotListen(host: host, port: port, errno: EINVAL)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw LoopbackHTTPServerError.cannotListen(host: host, port: port, errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }

        self.host = host
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.maximumBodySize = maximumBodySize
        self.limits = limits
        self.streamsRequestBody = streamsRequestBody
        self.listener = fd
        self.handler = handler

        let acceptThread = Thread { [self] in acceptLoop() }
        acceptThread.name = "loopback-http-accept"
        acceptThread.start()
    }

    deinit { stop() }

    /// `host:port`, as `AWS_LAMBDA_RUNTIME_API` wants it.
    public var authority: String { "\(host):\(port)" }

    /// Stops accepting and closes every open connection. Handlers still running finish on
    /// their own; their replies are discarded.
    public func stop() {
        let connections: Set<Int32>? = state.update { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.connections = [] }
            return state.connections
        }
        guard let connections else { return }
        // shutdown, not close: it wakes the accept thread, which closes the listener itself.
        // Closing here would free the descriptor number while that thread may still call
        // accept() on it, and a socket opened meanwhile (another server's listener) would
        // have its connections accepted and dropped by this stopped server.
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // the listener was shut down by stop()
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            enum Admission { case admitted(number: Int), full, stopped }
            let admission = state.update { state -> Admission in
                guard !state.stopped else { return .stopped }
                guard state.connections.count < limits.maximumConnections else { return .full }
                state.connections.insert(fd)
                state.accepted += 1
                return .admitted(number: state.accepted)
            }
            let number: Int
            switch admission {
            case .stopped:
                close(fd)
                return
            case .full:
                refuseOverCapacity(fd)
                continue
            case .admitted(let admitted):
                number = admitted
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                let connection = Connection(fd: fd, maximumBodySize: maximumBodySize, limits: limits)
                serve(connection, number: number)
                connection.close()
                state.update { _ = $0.connections.remove(fd) }
                close(fd)
            }
            thread.name = "loopback-http-connection"
            thread.start()
        }
    }

    /// Answers 503 on the accepting thread, without a thread of its own: sent before the
    /// client's request is read, then the socket closed (what the client already sent is
    /// dropped unread).
    private func refuseOverCapacity(_ fd: Int32) {
        let body = "more than \(limits.maximumConnections) connections at once"
        let response = Array(
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\nRetry-After: 1\r\n\r\n\(body)").utf8)
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    private func serve(_ connection: Connection, number: Int) {
        while true {
            var request: HTTPServerRequest
            do {
                guard let next = try connection.readRequest(streamsBody: streamsRequestBody) else { return }
                request = next
                request.connectionNumber = number
            } catch let error as RequestError {
                connection.write(error.response, keepAlive: false)
                connection.lingeringClose()
                return
            } catch {
                return
            }
            let reply = handler(request)
            // What the handler left of a streamed body is read, so the next request starts clean.
            if let stream = request.bodyStream {
                do {
                    try stream.drain()
                } catch {
                    connection.write(RequestError(400, "\(error)").response, keepAlive: false)
                    return
                }
            }
            let keepAlive = !(request.headers["Connection"]?.caseInsensitiveEquals("close") ?? false)
            switch reply {
            case .dropConnection:
                return
            case .raw(let bytes):
                connection.sendRaw(bytes)
                return
            case .stream(let status, let headers, let body):
                guard connection.writeStreaming(status: status, headers: headers, keepAlive: keepAlive, body: body),
                    keepAlive
                else { return }
            case .response(let response):
                guard connection.write(response, keepAlive: keepAlive, isHead: request.method == "HEAD"), keepAlive
                else {
                    return
                }
            }
        }
    }
}
