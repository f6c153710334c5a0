/// Any JSON value, for the parts of AWS events whose shape AWS leaves open (an
/// authorizer's context, an EventBridge `detail` a handler does not model, an echo).
///
/// Integers are kept apart from other numbers so that a 64-bit id survives a round trip.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings and objects first: they are most of what AWS sends, and every failed
        // `try?` costs a thrown error.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The value as a whole number, whether JSON wrote it `60` or `60.0`.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value) where value.rounded() == value && abs(value) < 9.2e18: Int64(value)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

extension JSONValue {
    /// Parses JSON text (UTF-8, RFC 8259 strictly; see `Document.swift` for the choices RFC
    /// 8259 leaves open). Throws a ``JSONSyntaxError``.
    public init(parsing bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try JSONValue.parse($0) }
    }

    /// Parses JSON text (UTF-8, RFC 8259 strictly). Throws a ``JSONSyntaxError``.
    public init(parsing bytes: some Collection<UInt8>) throws {
        if let value = try bytes.withContiguousStorageIfAvailable({ try JSONValue.parse(UnsafeRawBufferPointer($0)) }) {
            self = value
        } else {
            self = try Array(bytes).withUnsafeBytes { try JSONValue.parse($0) }
        }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        let document: Document
        do {
            document = try Document.parse(copying: bytes, maximumDepth: JSONNesting.maximumDepth)
        } catch {
            throw error.error
        }
        do {
            return try document.jsonValue(at: 0)
        } catch {
            throw error.error
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { value } else { nil }
    }

    /// The JSON path and a description of the first place where two values differ, or nil if
    /// they are the same JSON value. Key order does not matter, and `60` equals `60.0`.
    public func firstDifference(from other: JSONValue, path: String = "$") -> (path: String, description: String)? {
        switch (self, other) {
        case (.object(let left), .object(let right)):
            for key in left.keys.sorted() {
                guard let rightValue = right[key] else {
                    return (JSONPath.appending(key, to: path), "missing on the right")
                }
                if let difference = left[key]!.firstDifference(
                    from: rightValue, path: JSONPath.appending(key, to: path))
                {
                    return difference
                }
            }
            for key in right.keys.sorted() where left[key] == nil {
                return (JSONPath.appending(key, to: path), "missing on the left")
            }
            return nil
        case (.array(let left), .array(let right)):
            for (index, pair) in zip(left, right).enumerated() {
                if let difference = pair.0.firstDifference(from: pair.1, path: "\(path)[\(index)]") {
                    return difference
                }
            }
            return left.count == right.count
                ? nil : (path, "\(left.count) elements on the left, \(right.count) on the right")
        default:
            if self == other { return nil }
            if let left = doubleValue, let right = other.doubleValue, left == right { return nil }
            return (path, "\(self.compactDescription) on the left, \(other.compactDescription) on the right")
        }
    }

    var compactDescription: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): "\"\(value.count > 60 ? String(value.prefix(60)) + "…" : value)\""
        case .array(let value): "an array of \(value.count)"
        case .object(let value): "an object of \(value.count) keys"
        }
    }
}

/// JSON paths in the `$.Records[0].body` notation that `events validate` prints.
public enum JSONPath {
    public static func appending(_ key: String, to path: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_"
                    || $0 == "$"
            }
        if plain { return path + "." + key }
        // Character by character: `replacing(_:with:)` would link the regex module.
        var escaped = ""
        for character in key {
            if character == "\\" || character == "'" { escaped.append("\\") }
            escaped.append(character)
        }
        return path + "['" + escaped + "']"
    }

    /// The path of a coding path, as a decoding error reports it.
    public static func from(_ codingPath: [any CodingKey]) -> String {
        var path = "$"
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path = appending(key.stringValue, to: path)
            }
        }
        return path
    }
}
