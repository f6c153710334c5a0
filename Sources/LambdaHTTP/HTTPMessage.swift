#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Header fields in the order they were given or received.
///
/// HTTP field names are case-insensitive; lookups here are too. Duplicates are kept,
/// because some (`Set-Cookie`) legitimately repeat.
///
/// A response's fields stay as the bytes curl delivered until they are changed or iterated: a
/// lookup makes a `String` of the one value it finds and none of the names. The Runtime API
/// client reads 6 of the 9 fields of each `/next`, and making two strings of every field was the
/// largest part of the HTTP client's own time per invocation (BENCHMARKS.md, issue 13).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    private var storage: Storage

    private enum Storage: Sendable {
        case parsed([(name: String, value: String)])
        case received(ReceivedFields)
    }

    public init(_ fields: [(String, String)] = []) {
        storage = .parsed(fields.map { (name: $0.0, value: $0.1) })
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Fields as received, kept as bytes.
    package init(received: ReceivedFields) {
        storage = .received(received)
    }

    public var fields: [(name: String, value: String)] {
        switch storage {
        case .parsed(let fields): fields
        case .received(let received):
            received.indices.map { (name: received.name(at: $0), value: received.value(at: $0)) }
        }
    }

    /// The first value of the field `name`, case-insensitively.
    public subscript(name: String) -> String? {
        switch storage {
        case .parsed(let fields):
            return fields.first { $0.name.caseInsensitiveEquals(name) }?.value
        case .received(let received):
            return received.firstIndex(of: name).map { received.value(at: $0) }
        }
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        switch storage {
        case .parsed(let fields):
            return fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
        case .received(let received):
            return received.indices(of: name).map { received.value(at: $0) }
        }
    }

    public mutating func add(_ name: String, _ value: String) {
        var fields = takeFields()
        fields.append((name: name, value: value))
        storage = .parsed(fields)
    }

    /// Replaces every field `name` with one field holding `value`.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        var fields = takeFields()
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
        storage = .parsed(fields)
    }

    public func contains(_ name: String) -> Bool {
        switch storage {
        case .parsed(let fields): fields.contains { $0.name.caseInsensitiveEquals(name) }
        case .received(let received): received.firstIndex(of: name) != nil
        }
    }

    public var isEmpty: Bool {
        switch storage {
        case .parsed(let fields): fields.isEmpty
        case .received(let received): received.indices.isEmpty
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        let (left, right) = (lhs.fields, rhs.fields)
        return left.count == right.count
            && zip(left, right).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The fields as an array this value no longer shares, so that appending does not copy it.
    private mutating func takeFields() -> [(name: String, value: String)] {
        switch storage {
        case .parsed(let fields):
            storage = .parsed([])
            return fields
        case .received:
            return fields
        }
    }
}

/// Header fields as they came off the wire: their lines' bytes, and where each name and value
/// lies in them. Two allocations for a whole response, however many fields it has.
package struct ReceivedFields: Sendable {
    private let lines: [UInt8]
    /// Per field: where its name starts and ends, and where its value starts and ends.
    private let spans: [(nameStart: Int32, nameEnd: Int32, valueStart: Int32, valueEnd: Int32)]

    /// The fields of `lines`, header lines one after another as received (`Name: value\r\n`).
    /// A line without a colon is no field and is skipped.
    package init(lines: [UInt8]) {
        self.lines = lines
        var spans: [(nameStart: Int32, nameEnd: Int32, valueStart: Int32, valueEnd: Int32)] = []
        lines.withUnsafeBufferPointer { bytes in
            spans.reserveCapacity(bytes.count / 24)
            Self.forEachField(in: bytes) { name, value in
                spans.append(
                    (
                        Int32(truncatingIfNeeded: name.lowerBound), Int32(truncatingIfNeeded: name.upperBound),
                        Int32(truncatingIfNeeded: value.lowerBound), Int32(truncatingIfNeeded: value.upperBound)
                    ))
            }
        }
        self.spans = spans
    }

    /// Calls `field` with where each field's name and value lie in `lines` (values trimmed of
    /// the spaces around them), in order; a line without a colon is no field and is skipped.
    package static func forEachField(
        in lines: UnsafeBufferPointer<UInt8>, _ field: (_ name: Range<Int>, _ value: Range<Int>) -> Void
    ) {
        guard let base = lines.baseAddress else { return }
        // Line ends and colons found with memchr: a byte-by-byte loop over every response's
        // fields was the largest of the HTTP client's own samples per Runtime API call.
        func find(_ byte: UInt8, from start: Int, to end: Int) -> Int? {
            guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
        var lineStart = 0
        while lineStart < lines.count {
            var lineEnd = find(UInt8(ascii: "\n"), from: lineStart, to: lines.count) ?? lines.count
            let next = lineEnd + 1
            // Trimmed as bytes: Swift would read "\r\n" as one Character.
            while lineEnd > lineStart,
                lines[lineEnd - 1] == UInt8(ascii: "\r") || lines[lineEnd - 1] == UInt8(ascii: " ")
            {
                lineEnd -= 1
            }
            if let colon = find(UInt8(ascii: ":"), from: lineStart, to: lineEnd) {
                var valueStart = colon + 1
                while valueStart < lineEnd,
                    lines[valueStart] == UInt8(ascii: " ") || lines[valueStart] == UInt8(ascii: "\t")
                {
                    valueStart += 1
                }
                field(lineStart..<colon, valueStart..<lineEnd)
            }
            lineStart = next
        }
    }

    package var indices: Range<Int> { spans.indices }

    func name(at index: Int) -> String { string(spans[index].nameStart, spans[index].nameEnd) }

    func value(at index: Int) -> String { string(spans[index].valueStart, spans[index].valueEnd) }

    /// The index of the first field named `name`, case-insensitively.
    func firstIndex(of name: String) -> Int? {
        withNameTest(name) { spans.indices.first(where: $0) }
    }

    /// The indices of every field named `name`, in order.
    func indices(of name: String) -> [Int] {
        withNameTest(name) { spans.indices.filter($0) }
    }

    private func string(_ start: Int32, _ end: Int32) -> String {
        lines.withUnsafeBufferPointer { String(decoding: $0[Int(start)..<Int(end)], as: UTF8.self) }
    }

    /// Runs `body` with a test of whether the field at an index is named `name`, with the bytes
    /// of both at hand for the whole of `body`.
    private func withNameTest<Result>(_ name: String, _ body: ((Int) -> Bool) -> Result) -> Result {
        var name = name
        return name.withUTF8 { wanted in
            lines.withUnsafeBufferPointer { bytes in
                body { index in
                    let span = spans[index]
                    return caseInsensitiveEquals(
                        UnsafeBufferPointer(rebasing: bytes[Int(span.nameStart)..<Int(span.nameEnd)]), wanted)
                }
            }
        }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as HTTP field names need; cheaper than lowercasing both.
    /// Over the contiguous UTF-8 of both: a zip of the two UTF8Views was a tenth of the
    /// runtime's own time per invocation (the Runtime API's headers are looked up by name).
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var (a, b) = (self, other)
        return a.withUTF8 { x in b.withUTF8 { y in LambdaHTTP.caseInsensitiveEquals(x, y) } }
    }
}

/// Whether two field names are the same but for the case of their ASCII letters.
package func caseInsensitiveEquals(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    guard x.count == y.count else { return false }
    for index in x.indices where x[index] != y[index] {
        let folded = x[index] | 0x20
        guard folded == y[index] | 0x20, folded >= UInt8(ascii: "a"), folded <= UInt8(ascii: "z") else {
            return false
        }
    }
    return true
}

/// A received field name against a known one kept as bytes.
package func caseInsensitiveEquals(_ received: UnsafeBufferPointer<UInt8>, _ known: [UInt8]) -> Bool {
    known.withUnsafeBufferPointer { caseInsensitiveEquals(received, $0) }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The whole exchange must finish within this; `nil` waits as long as it takes
    /// (the Runtime API's long-poll needs exactly that).
    public var timeout: Duration?

    public init(
        method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an HTTP exchange produced no response. Every case names the URL, so a log line
/// alone tells a user which endpoint was unreachable.
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    /// No connection could be made: refused, unresolvable host, network unreachable.
    case connectionFailed(url: String, reason: String)
    /// The request did not complete within its timeout.
    case timedOut(url: String, after: Duration)
    /// The connection broke mid-exchange (reset, closed early, malformed response).
    case transferFailed(url: String, reason: String)
    /// TLS failed: no CA bundle, an untrusted certificate, a handshake error.
    case tlsFailed(url: String, reason: String)
    /// The request itself is unusable (a malformed URL, an unsupported scheme).
    case invalidRequest(url: String, reason: String)

    public var description: String {
        switch self {
        case .connectionFailed(let url, let reason): "cannot connect to \(url): \(reason)"
        case .timedOut(let url, let after): "request to \(url) timed out after \(after)"
        case .transferFailed(let url, let reason): "request to \(url) failed: \(reason)"
        case .tlsFailed(let url, let reason): "TLS failed for \(url): \(reason)"
        case .invalidRequest(let url, let reason): "invalid request to \(url): \(reason)"
        }
    }

    /// Network-level failures that a fresh attempt may not meet.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .timedOut, .transferFailed: true
        case .tlsFailed, .invalidRequest: false
        }
    }
}
