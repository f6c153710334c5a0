import TextEncodings
import UTCTime

// The values of the generated shapes (scripts/generate-aws-shapes.py) that the AWS wire
// carries differently from Swift's default Codable: blobs as base64 text, timestamps as
// seconds since 1970 on the JSON protocols; and the reading of query-protocol XML results.

extension KeyedEncodingContainer {
    /// A blob as the JSON protocols send it: base64 text.
    package mutating func encodeBase64(_ bytes: [UInt8], forKey key: Key) throws {
        try encode(Base64.encode(bytes), forKey: key)
    }

    package mutating func encodeBase64IfPresent(_ bytes: [UInt8]?, forKey key: Key) throws {
        guard let bytes else { return }
        try encodeBase64(bytes, forKey: key)
    }

    /// A list of blobs: a list of base64 texts.
    package mutating func encodeBase64List(_ list: [[UInt8]], forKey key: Key) throws {
        try encode(list.map { Base64.encode($0) }, forKey: key)
    }

    package mutating func encodeBase64ListIfPresent(_ list: [[UInt8]]?, forKey key: Key) throws {
        guard let list else { return }
        try encodeBase64List(list, forKey: key)
    }

    /// A timestamp as the JSON protocols send it: seconds since 1970, a number.
    package mutating func encodeEpochSeconds(_ time: UTCTime, forKey key: Key) throws {
        try encode(time.secondsSince1970, forKey: key)
    }

    package mutating func encodeEpochSecondsIfPresent(_ time: UTCTime?, forKey key: Key) throws {
        guard let time else { return }
        try encodeEpochSeconds(time, forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// A blob sent as base64 text; malformed base64 is a `DecodingError.dataCorrupted`.
    package func decodeBase64(forKey key: Key) throws -> [UInt8] {
        let text = try decode(String.self, forKey: key)
        guard let bytes = Base64.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64")
        }
        return bytes
    }

    package func decodeBase64IfPresent(forKey key: Key) throws -> [UInt8]? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeBase64(forKey: key)
    }

    package func decodeBase64List(forKey key: Key) throws -> [[UInt8]] {
        let texts = try decode([String].self, forKey: key)
        return try texts.enumerated().map { index, text in
            guard let bytes = Base64.decode(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self, debugDescription: "element \(index) is not base64")
            }
            return bytes
        }
    }

    package func decodeBase64ListIfPresent(forKey key: Key) throws -> [[UInt8]]? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeBase64List(forKey: key)
    }

    /// A timestamp sent as seconds since 1970; an ISO 8601 string is read too, as botocore does.
    package func decodeEpochSeconds(forKey key: Key) throws -> UTCTime {
        if let seconds = try? decode(Double.self, forKey: key), let time = UTCTime(exactlySecondsSince1970: seconds) {
            return time
        }
        let text = try decode(String.self, forKey: key)
        if let time = UTCTime(iso8601: text) {
            return time
        }
        if let seconds = Double(text), let time = UTCTime(exactlySecondsSince1970: seconds) {
            return time
        }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: self, debugDescription: "not a timestamp: \(text)")
    }

    package func decodeEpochSecondsIfPresent(forKey key: Key) throws -> UTCTime? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeEpochSeconds(forKey: key)
    }
}

/// A member of a query-protocol XML result that is missing or not of its type.
package struct XMLShapeError: Error, CustomStringConvertible {
    /// The element the member was read from, or whose child was missing.
    package var element: String
    package var reason: String

    package init(element: String, reason: String) {
        self.element = element
        self.reason = reason
    }

    package var description: String { "<\(element)>: \(reason)" }
}

// The reading of the query protocol's results, as botocore's QueryParser reads them.
extension XMLElementNode {
    /// The first child named `name`, read; an error when there is none (a required member).
    package func requiredChild<T>(_ name: String, _ read: (XMLElementNode) throws -> T) throws -> T {
        guard let node = child(name) else {
            throw XMLShapeError(element: self.name, reason: "missing <\(name)>")
        }
        return try read(node)
    }

    /// The first child named `name`, read, or `nil`.
    package func optionalChild<T>(_ name: String, _ read: (XMLElementNode) throws -> T) rethrows -> T? {
        guard let node = child(name) else { return nil }
        return try read(node)
    }

    /// The elements of a list: the children named `name` (`member`), read in order.
    package func members<T>(_ name: String, _ read: (XMLElementNode) throws -> T) rethrows -> [T] {
        try children.filter { $0.name == name }.map(read)
    }

    /// The entries of a map: the children named `entry`, each with a `key` and a `value` child.
    package func entries<Key: Hashable, Value>(
        _ entry: String, key: String, value: String, _ read: (XMLElementNode, XMLElementNode) throws -> (Key, Value)
    ) throws -> [Key: Value] {
        var map: [Key: Value] = [:]
        for node in children where node.name == entry {
            guard let keyNode = node.child(key), let valueNode = node.child(value) else {
                throw XMLShapeError(element: name, reason: "<\(entry)> without <\(key)> and <\(value)>")
            }
            let (k, v) = try read(keyNode, valueNode)
            map[k] = v
        }
        return map
    }

    /// `true` for the text "true", `false` otherwise, as botocore reads booleans.
    package func boolValue() -> Bool { trimmedText == "true" }

    package func intValue() throws -> Int {
        guard let value = Int(trimmedText) else { throw malformed("an integer") }
        return value
    }

    package func doubleValue() throws -> Double {
        guard let value = Double(trimmedText) else { throw malformed("a number") }
        return value
    }

    package func base64Value() throws -> [UInt8] {
        guard let bytes = Base64.decode(trimmedText) else { throw malformed("base64") }
        return bytes
    }

    /// An ISO 8601 time, or seconds since 1970.
    package func timestampValue() throws -> UTCTime {
        if let time = UTCTime(iso8601: trimmedText) { return time }
        if let seconds = Double(trimmedText), let time = UTCTime(exactlySecondsSince1970: seconds) { return time }
        throw malformed("a timestamp")
    }

    private var trimmedText: Substring {
        let head = text.drop { $0.isWhitespace }
        return head.dropLast(head.reversed().prefix { $0.isWhitespace }.count)
    }

    private func malformed(_ expected: String) -> XMLShapeError {
        XMLShapeError(element: name, reason: "\(text.debugDescription) is not \(expected)")
    }
}
