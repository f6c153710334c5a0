/// A coding key for any JSON object key: used where AWS sends keys a model cannot list up front.
public struct JSONKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public let intValue: Int?

    public init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    public init?(stringValue: String) {
        self.init(stringValue)
    }

    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// How a `nil` optional is written back out.
public enum NilEncoding: Sendable, Hashable {
    /// The key is left out.
    case omit
    /// The key is written with the value `null`.
    case null
}

/// An optional field that remembers whether AWS left it out or sent `null`.
///
/// AWS does both for the same field (API Gateway's console test sends `"headers": null`; older
/// REST events omit the key), and a re-encoded event must say what the original said. Equality
/// ignores the distinction: both mean "no value".
@propertyWrapper
public struct NullPreserving<Value: Sendable>: Sendable {
    public var wrappedValue: Value?
    /// How `nil` is encoded; set from the input when decoded.
    public var nilEncoding: NilEncoding

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
        self.nilEncoding = .omit
    }

    public init(wrappedValue: Value?, nilEncoding: NilEncoding) {
        self.wrappedValue = wrappedValue
        self.nilEncoding = nilEncoding
    }

    public var projectedValue: NullPreserving<Value> {
        get { self }
        set { self = newValue }
    }
}

extension NullPreserving: Equatable where Value: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.wrappedValue == rhs.wrappedValue
    }
}

extension NullPreserving: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init(wrappedValue: nil, nilEncoding: .null)
        } else {
            self.init(wrappedValue: try container.decode(Value.self))
        }
    }
}

extension NullPreserving: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

// Synthesized Codable calls these overloads for `@NullPreserving` properties, so a missing key
// decodes to nil instead of failing, and a nil that was omitted stays omitted.
extension KeyedDecodingContainer {
    public func decode<Value: Decodable>(_: NullPreserving<Value>.Type, forKey key: Key) throws -> NullPreserving<Value>
    {
        guard contains(key) else { return NullPreserving(wrappedValue: nil, nilEncoding: .omit) }
        if try decodeNil(forKey: key) { return NullPreserving(wrappedValue: nil, nilEncoding: .null) }
        return NullPreserving(wrappedValue: try decode(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    public mutating func encode<Value: Encodable>(_ value: NullPreserving<Value>, forKey key: Key) throws {
        if let wrapped = value.wrappedValue {
            try encode(wrapped, forKey: key)
        } else if value.nilEncoding == .null {
            try encodeNil(forKey: key)
        }
    }
}

// MARK: - Fields a model does not know

/// The members of a JSON object that a model does not name, kept so that re-encoding an event
/// does not drop what AWS (or a newer API version) added.
public typealias AdditionalFields = [String: JSONValue]

extension Decoder {
    /// Decodes every member whose key is not one of `Known`'s cases.
    func additionalFields<Known: CodingKey & CaseIterable>(excluding _: Known.Type) throws -> AdditionalFields {
        let container = try self.container(keyedBy: JSONKey.self)
        var fields: AdditionalFields = [:]
        for key in container.allKeys where Known(stringValue: key.stringValue) == nil {
            fields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return fields
    }
}

extension Encoder {
    func encodeAdditionalFields(_ fields: AdditionalFields) throws {
        guard !fields.isEmpty else { return }
        var container = self.container(keyedBy: JSONKey.self)
        for (key, value) in fields {
            try container.encode(value, forKey: JSONKey(key))
        }
    }
}
