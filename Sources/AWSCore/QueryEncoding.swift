import TextEncodings

/// The body of an `awsQuery` request: `Action`, `Version`, then the operation's parameters
/// flattened to dotted names (`MessageAttributes.entry.1.Value.DataType`), form-encoded.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        pairs.append((name, value))
    }

    /// `application/x-www-form-urlencoded` exactly as botocore writes it (Python's
    /// `urlencode`): unreserved characters literal, a space as `+`, everything else `%XX`.
    /// Matching it byte for byte matters to endpoints that re-encode the parsed form to check
    /// the payload hash (moto does).
    public func encoded() -> String {
        pairs.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
    }

    static func formEncode(_ text: String) -> String {
        PercentEncoding.encode(text).replacingText("%20", with: "+")
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0 == $1 }
    }
}
