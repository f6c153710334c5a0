import Foundation
import LambdaHTTP
import TextEncodings

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct RequestError: Error {
    var response: HTTPResponse

    init(_ status: Int, _ message: String) {
        response = HTTPResponse(status: status, headers: ["Content-Type": "text/plain"], body: Array(message.utf8))
    }
}

/// Parses requests off one socket, keeping whatever bytes of the next request already arrived.
/// Used by its connection's thread only.
final class Connection {
    let fd: Int32
    let maximumBodySize: Int
    let limits: HTTPServerLimits
    private var buffer: [UInt8] = []
    /// The trailers of the last chunked body read.
    private(set) var trailers = HTTPHeaders()
    private var start = 0
    /// Where `recv` writes before the bytes join `buffer`; freed by `close()`.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)

    /// The waits are bounded by checking the clock each time `recv` gives up: `SO_RCVTIMEO` makes
    /// it give up every `pollInterval`.
    private static let pollInterval = timeval(tv_sec: 0, tv_usec: 200_000)

    init(fd: Int32, maximumBodySize: Int, limits: HTTPServerLimits = HTTPServerLimits()) {
        self.fd = fd
        self.maximumBodySize = maximumBodySize
        self.limits = limits
        buffer.reserveCapacity(16 << 10)
        var interval = Self.pollInterval
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() {
        scratch.deallocate()
    }

    /// The next request, or `nil` when the peer closed the connection between requests or left
    /// it idle past `limits.idleTimeout`.
    func readRequest(streamsBody: (HTTPServerRequest) -> Bool = { _ in false }) throws -> HTTPServerRequest? {
        compact()
        var headEnd: Int
        var searchFrom = start
        // Idle until the first byte; from then on the whole head must come within headTimeout,
        // so that a client trickling its headers holds its thread for a bounded time.
        var deadline = ContinuousClock.now + (buffer.count > start ? limits.headTimeout : limits.idleTimeout)
        while true {
            if let end = find(crlfcrlf, from: searchFrom) {
                headEnd = end
                break
            }
            if find(crlf, from: start) == nil, buffer.count - start > limits.maximumRequestLineSize {
                throw RequestError(414, "request line longer than \(limits.maximumRequestLineSize) bytes")
            }
            searchFrom = max(start, buffer.count - 3)
            if buffer.count - start > limits.maximumHeadSize {
                throw RequestError(431, "request head longer than \(limits.maximumHeadSize) bytes")
            }
            let waitingForFirstByte = buffer.count == start
            let more: Bool
            do {
                more = try fill(deadline: deadline)
            } catch is ReceiveTimeout {
                if waitingForFirstByte { return nil }
                throw RequestError(408, "request head not complete within \(limits.headTimeout)")
            }
            guard more else {
                if buffer.count == start { return nil }
                throw RequestError(400, "connection closed mid-request")
            }
            if waitingForFirstByte { deadline = .now + limits.headTimeout }
        }

        // A head that arrived whole in one read is held to the same bound as one that trickled in.
        guard headEnd - start <= limits.maximumHeadSize else {
            throw RequestError(431, "request head longer than \(limits.maximumHeadSize) bytes")
        }
        let head = String(decoding: buffer[start..<headEnd], as: UTF8.self)
        start = headEnd + 4
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).makeIterator()
        let firstLine = lines.next() ?? ""
        guard firstLine.utf8.count <= limits.maximumRequestLineSize else {
            throw RequestError(414, "request line longer than \(limits.maximumRequestLineSize) bytes")
        }
        let requestLine = firstLine.split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw RequestError(400, "malformed request line")
        }
        var headers = HTTPHeaders()
        var headerCount = 0
        while let line = lines.next(), !line.isEmpty {
            headerCount += 1
            guard headerCount <= limits.maximumHeaderCount else {
                throw RequestError(431, "more than \(limits.maximumHeaderCount) header fields")
            }
            guard let colon = line.firstIndex(of: ":") else { throw RequestError(400, "malformed header line") }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }

        let body: [UInt8]
        let method = String(requestLine[0])
        let target = String(requestLine[1])
        if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            let head = HTTPServerRequest(method: method, target: target, headers: headers)
            if streamsBody(head) {
                var streamed = head
                streamed.bodyStream = RequestBodyStream(connection: self)
                return streamed
            }
            body = try readChunkedBody()
        } else if let lengthField = headers["Content-Length"] {
            guard let length = Int(lengthField), length >= 0 else { throw RequestError(400, "bad Content-Length") }
            guard length <= maximumBodySize else {
                throw RequestError(413, "request body of \(length) bytes exceeds \(maximumBodySize)")
            }
            body = try readExactly(length)
        } else {
            body = []
        }
        return HTTPServerRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    /// After refusing a request whose client may still be sending: stop writing, then read and
    /// drop what keeps arriving for a short while. Closing at once, with unread bytes, would
    /// reset the connection, and a reset can destroy the refusal before the client reads it.
    func lingeringClose() {
        shutdown(fd, Int32(SHUT_WR))
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var discarded = 0
        var waited = 0
        while discarded < 16 << 20, waited < 10 {
            let received = recv(fd, scratch.baseAddress, scratch.count, 0)
            if received > 0 {
                discarded += received
            } else if received < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                waited += 1
            } else {
                return
            }
        }
    }

    /// A response whose body is written as it is produced: chunked, then `0` and no trailers.
    func writeStreaming(
        status: Int, headers: HTTPHeaders, keepAlive: Bool, body: (ResponseBodyWriter) -> Void
    ) -> Bool {
        var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        for (name, value) in headers
        where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Transfer-Encoding") {
            head += "\(name): \(value)\r\n"
        }
        head += "Transfer-Encoding: chunked\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        guard send(Array(head.utf8)[...]) else { return false }
        let writer = ResponseBodyWriter(connection: self)
        body(writer)
        return writer.isOpen && send(Array("0\r\n\r\n".utf8)[...])
    }

    func sendChunk(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return send(Array((String(bytes.count, radix: 16) + "\r\n").utf8)[...]) && send(bytes[...])
            && send(crlf[...])
    }

    @discardableResult
    func write(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool = false) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers where !name.caseInsensitiveEquals("Content-Length") {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        let headBytes = Array(head.utf8)
        guard send(headBytes[...]) else { return false }
        return isHead || response.body.isEmpty || send(response.body[...])
    }

    func sendRaw(_ bytes: [UInt8]) { _ = send(bytes[...]) }

    private func send(_ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while let chunk = try nextChunk(limit: maximumBodySize - body.count) { body += chunk }
        return body
    }

    /// The next chunk of a chunked body, or `nil` after the last one (its trailers are then in
    /// `trailers`). A chunk larger than `limit` is refused with 413.
    func nextChunk(limit: Int) throws -> [UInt8]? {
        let sizeLine = try readLine(limit: Self.maximumChunkLineSize, status: 400, what: "chunk size line")
        let sizeField = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
            throw RequestError(400, "malformed chunk size")
        }
        if size == 0 {
            // Trailers, within the same bound as the request head.
            var trailers = HTTPHeaders()
            var trailerBytes = 0
            while true {
                let line = try readLine(
                    limit: limits.maximumHeadSize - trailerBytes, status: 431, what: "trailer section")
                if line.isEmpty { break }
                trailerBytes += line.utf8.count + 2
                guard let colon = line.firstIndex(of: ":") else { throw RequestError(400, "malformed trailer line") }
                trailers.add(
                    String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            self.trailers = trailers
            return nil
        }
        // Against the remaining allowance, not the running total plus the size: a size near
        // Int.max must not overflow the check.
        guard size <= limit else {
            throw RequestError(413, "request body exceeds \(maximumBodySize) bytes")
        }
        let chunk = try readExactly(size)
        try expectLineEnd()
        return chunk
    }

    /// The CRLF that ends a chunk's data.
    private func expectLineEnd() throws {
        while buffer.count - start < 2 {
            guard try fill() else { throw RequestError(400, "connection closed mid-request") }
        }
        guard buffer[start] == 13, buffer[start + 1] == 10 else {
            throw RequestError(400, "malformed chunk: no CRLF after its data")
        }
        start += 2
    }

    /// One CRLF-terminated line of at most `limit` bytes: a peer that sends more without a line
    /// end is refused, so a connection cannot grow the buffer without bound.
    private func readLine(limit: Int, status: Int, what: String) throws -> String {
        // A long run of small chunks must not keep every consumed byte in the buffer.
        if start > 64 << 10 { compact() }
        var searchFrom = start
        while true {
            if let end = find(crlf, from: searchFrom) {
                guard end - start <= limit else { throw RequestError(status, "\(what) longer than \(limit) bytes") }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 2
                return line
            }
            guard buffer.count - start <= limit + 1 else {
                throw RequestError(status, "\(what) longer than \(limit) bytes")
            }
            searchFrom = max(start, buffer.count - 1)
            guard try fill() else { throw RequestError(400, "connection closed mid-request") }
        }
    }

    /// A chunk's size in hex and its extensions: real clients send a few bytes.
    static let maximumChunkLineSize = 4 << 10

    private func readExactly(_ count: Int) throws -> [UInt8] {
        let buffered = min(count, buffer.count - start)
        if buffered == count {
            defer { start += count }
            return Array(buffer[start..<(start + count)])
        }
        // A large body: receive straight into its own storage rather than growing the buffer.
        var failed = false
        var stalled = false
        let body = [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            buffer.withUnsafeBufferPointer { source in
                _ = UnsafeMutableBufferPointer(rebasing: storage[0..<buffered])
                    .initialize(from: UnsafeBufferPointer(rebasing: source[start..<(start + buffered)]))
            }
            initialized = buffered
            var deadline = ContinuousClock.now + limits.bodyStallTimeout
            while initialized < count {
                let received = recv(fd, storage.baseAddress! + initialized, count - initialized, 0)
                if received < 0, errno == EINTR { continue }
                if received < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    if ContinuousClock.now < deadline { continue }
                    stalled = true
                    return
                }
                guard received > 0 else {
                    failed = true
                    return
                }
                initialized += received
                deadline = .now + limits.bodyStallTimeout
            }
        }
        buffer.removeAll(keepingCapacity: true)
        start = 0
        guard !stalled else { throw RequestError(408, "request body stalled for \(limits.bodyStallTimeout)") }
        guard !failed else { throw RequestError(400, "connection closed mid-body") }
        return body
    }

    /// Reads what is available; `false` at end of stream. Within a body, the peer may pause up
    /// to `limits.bodyStallTimeout` between bytes (a response stream may pause that long).
    private func fill() throws -> Bool {
        do {
            return try fill(deadline: .now + limits.bodyStallTimeout)
        } catch is ReceiveTimeout {
            throw RequestError(408, "request body stalled for \(limits.bodyStallTimeout)")
        }
    }

    private struct ReceiveTimeout: Error {}

    /// Reads what is available, waiting until `deadline` at most; `false` at end of stream.
    private func fill(deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let received = recv(fd, scratch.baseAddress, scratch.count, 0)
            if received < 0, errno == EINTR { continue }
            if received < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                if ContinuousClock.now < deadline { continue }
                throw ReceiveTimeout()
            }
            if received < 0 { throw RequestError(400, "receive failed") }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<received]))
            return received > 0
        }
    }

    private func compact() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func find(_ pattern: [UInt8], from: Int) -> Int? {
        buffer.firstOffset(of: pattern, from: from)
    }
}

let crlf: [UInt8] = [13, 10]
let crlfcrlf: [UInt8] = [13, 10, 13, 10]

func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 204: "No Content"
    case 400: "Bad Request"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 413: "Payload Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 422: "Unprocessable Content"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    default: "Status \(status)"
    }
}
