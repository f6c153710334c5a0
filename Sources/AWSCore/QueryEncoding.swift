/// The body of an `awsQuery` request: `Action`, `Version`, then the operation's parameters
/// flattened to dotted names (`MessageAttributes.entry.1.Value.DataType`), form-encoded.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        pairs.append((name, value))
    }

    /// Form encoding with AWS's strict percent-encoding, which every query service accepts.
    public func encoded() -> String {
        pairs.map { "\(AWSPercentEncoding.encode($0.0))=\(AWSPercentEncoding.encode($0.1))" }.joined(separator: "&")
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0 == $1 }
    }
}
