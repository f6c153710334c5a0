import TextEncodings

/// A DynamoDB attribute value, encoded as its one-key JSON object (`{"S": "text"}`).
public indirect enum AttributeValue: Sendable, Hashable, Codable {
    case s(String)
    /// A number, kept as DynamoDB sends it: a decimal string of up to 38 digits that no Swift
    /// numeric type holds exactly.
    case n(String)
    /// Binary, base64 on the wire.
    case b([UInt8])
    case bool(Bool)
    case null
    case m([String: AttributeValue])
    case l([AttributeValue])
    case ss([String])
    case ns([String])
    case bs([[UInt8]])

    private enum CodingKeys: String, CodingKey {
        case s = "S", n = "N", b = "B", bool = "BOOL", null = "NULL", m = "M", l = "L", ss = "SS", ns = "NS", bs = "BS"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "an AttributeValue has exactly one of S, N, B, BOOL, NULL, M, L, SS, NS, BS; got \(container.allKeys.map(\.stringValue))"
                ))
        }
        switch key {
        case .s: self = .s(try container.decode(String.self, forKey: key))
        case .n: self = .n(try container.decode(String.self, forKey: key))
        case .b: self = .b(try Self.blob(try container.decode(String.self, forKey: key), at: container, key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .null: self = .null
        case .m: self = .m(try container.decode([String: AttributeValue].self, forKey: key))
        case .l: self = .l(try container.decode([AttributeValue].self, forKey: key))
        case .ss: self = .ss(try container.decode([String].self, forKey: key))
        case .ns: self = .ns(try container.decode([String].self, forKey: key))
        case .bs:
            self = .bs(try container.decode([String].self, forKey: key).map { try Self.blob($0, at: container, key) })
        }
    }

    private static func blob(
        _ text: String, at container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> [UInt8] {
        guard let bytes = Base64.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "a blob is not base64")
        }
        return bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .s(let value): try container.encode(value, forKey: .s)
        case .n(let value): try container.encode(value, forKey: .n)
        case .b(let value): try container.encode(Base64.encode(value), forKey: .b)  // the JSON protocol's blobs
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .null: try container.encode(true, forKey: .null)
        case .m(let value): try container.encode(value, forKey: .m)
        case .l(let value): try container.encode(value, forKey: .l)
        case .ss(let value): try container.encode(value, forKey: .ss)
        case .ns(let value): try container.encode(value, forKey: .ns)
        case .bs(let value): try container.encode(value.map { Base64.encode($0) }, forKey: .bs)
        }
    }
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .s(value) }
    public init(integerLiteral value: Int) { self = .n(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// An item or key: attribute names to values.
public typealias DynamoDBItem = [String: AttributeValue]
