/// Header fields in the order they were given or received.
///
/// HTTP field names are case-insensitive; lookups here are too. Duplicates are kept,
/// because some (`Set-Cookie`) legitimately repeat.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// No fields yet, with room for `minimumCapacity` of them.
    public init(minimumCapacity: Int) {
        fields = []
        fields.reserveCapacity(minimumCapacity)
    }

    /// The first value of the field `name`, case-insensitively.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field `name` with one field holding `value`.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as HTTP field names need; cheaper than lowercasing both.
    /// Over the contiguous UTF-8 of both: a zip of the two UTF8Views was a tenth of the
    /// runtime's own time per invocation (the Runtime API's headers are looked up by name).
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var (a, b) = (self, other)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for index in x.indices where x[index] != y[index] {
                    let folded = x[index] | 0x20
                    guard folded == y[index] | 0x20, folded >= UInt8(ascii: "a"), folded <= UInt8(ascii: "z") else {
                        return false
                    }
                }
                return true
            }
        }
    }
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
