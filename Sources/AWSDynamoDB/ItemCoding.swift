import UTCTime

/// A type that is one DynamoDB attribute of its own choosing rather than what its `Codable`
/// form would make: ``DynamoDBBinary`` is B, `UTCTime` N in seconds since 1970 (the form
/// DynamoDB's TTL reads). This module does not import Foundation; a handler that uses `Data`
/// or `Date` in its items conforms them in two lines (README, "Foundation in a handler").
public protocol DynamoDBAttributeConvertible {
    var dynamoDBAttribute: AttributeValue { get }
    /// Throws `DecodingError.typeMismatch` when `attribute` is not of the type's form.
    init(dynamoDBAttribute attribute: AttributeValue, codingPath: [any CodingKey]) throws
}

/// Bytes stored as a binary (B) attribute; `Set<DynamoDBBinary>` is a binary set (BS).
public struct DynamoDBBinary: Sendable, Hashable, Codable, DynamoDBAttributeConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    public var dynamoDBAttribute: AttributeValue { .b(bytes) }

    public init(dynamoDBAttribute attribute: AttributeValue, codingPath: [any CodingKey]) throws {
        guard case .b(let bytes) = attribute else {
            throw DecodingError.typeMismatch(
                Self.self, .init(codingPath: codingPath, debugDescription: "expected binary (B)"))
        }
        self.bytes = bytes
    }
}

extension UTCTime: DynamoDBAttributeConvertible {
    public var dynamoDBAttribute: AttributeValue { .n(String(describing: secondsSince1970)) }

    public init(dynamoDBAttribute attribute: AttributeValue, codingPath: [any CodingKey]) throws {
        guard case .n(let text) = attribute, let seconds = Double(text),
            let time = UTCTime(exactlySecondsSince1970: seconds)
        else {
            throw DecodingError.typeMismatch(
                Self.self,
                .init(codingPath: codingPath, debugDescription: "expected a number (N) of seconds since 1970"))
        }
        self = time
    }
}

/// Encodes a Codable value to a DynamoDB item: structs and dictionaries become M (the top
/// level the item itself), arrays L, strings S, numbers N, Bool BOOL, nil NULL, `Set<String>`
/// SS, `Set<DynamoDBBinary>` BS, and a ``DynamoDBAttributeConvertible`` the attribute it
/// chooses.
public struct DynamoDBItemEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> DynamoDBItem {
        guard case .m(let item) = try encodeAttribute(value) else {
            throw EncodingError.invalidValue(
                value,
                .init(
                    codingPath: [],
                    debugDescription: "an item must encode as a keyed container (a struct or a dictionary)"))
        }
        return item
    }

    /// Encodes any value to one attribute value (for ExpressionAttributeValues, keys).
    public func encodeAttribute(_ value: some Encodable) throws -> AttributeValue {
        let node = EncodingNode()
        try node.store(value, codingPath: [])
        return try node.resolve(codingPath: [])
    }
}

/// Decodes a Codable value from a DynamoDB item, the inverse of ``DynamoDBItemEncoder``.
public struct DynamoDBItemDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from item: DynamoDBItem) throws -> T {
        try decode(type, fromAttribute: .m(item))
    }

    public func decode<T: Decodable>(_ type: T.Type, fromAttribute value: AttributeValue) throws -> T {
        try ItemDecoding(value: value, codingPath: []).decodeValue(type)
    }
}

// MARK: - Encoding

private final class EncodingNode {
    enum Content {
        case empty
        case value(AttributeValue)
        case map([String: EncodingNode])
        case list([EncodingNode])
    }

    var content: Content = .empty

    func store(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let convertible as any DynamoDBAttributeConvertible:
            content = .value(convertible.dynamoDBAttribute)
        case let set as Set<String> where !set.isEmpty:
            content = .value(.ss(set.sorted()))
        case let set as Set<DynamoDBBinary> where !set.isEmpty:
            content = .value(.bs(set.map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }))
        case let attribute as AttributeValue:
            content = .value(attribute)
        default:
            try value.encode(to: ItemEncoding(node: self, codingPath: codingPath))
        }
    }

    func resolve(codingPath: [any CodingKey]) throws -> AttributeValue {
        switch content {
        case .empty: return .m([:])  // a type that encoded nothing, e.g. an empty struct
        case .value(let value): return value
        case .map(let children): return .m(try children.mapValues { try $0.resolve(codingPath: codingPath) })
        case .list(let children): return .l(try children.map { try $0.resolve(codingPath: codingPath) })
        }
    }

    func mapChild(_ key: String) -> EncodingNode {
        var children: [String: EncodingNode] = [:]
        if case .map(let existing) = content { children = existing }
        let child = EncodingNode()
        children[key] = child
        content = .map(children)
        return child
    }

    func appendChild() -> EncodingNode {
        var children: [EncodingNode] = []
        if case .list(let existing) = content { children = existing }
        let child = EncodingNode()
        children.append(child)
        content = .list(children)
        return child
    }
}

private struct ItemEncoding: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .map = node.content {} else { node.content = .map([:]) }
        return KeyedEncodingContainer(KeyedItemEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list = node.content {} else { node.content = .list([]) }
        return UnkeyedItemEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleItemEncoding(node: node, codingPath: codingPath)
    }
}

private func number<T: BinaryFloatingPoint>(_ value: T, _ codingPath: [any CodingKey]) throws -> AttributeValue {
    guard value.isFinite else {
        throw EncodingError.invalidValue(
            value, .init(codingPath: codingPath, debugDescription: "DynamoDB numbers are finite"))
    }
    return .n("\(value)")
}

private struct KeyedItemEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.mapChild(key.stringValue).content = .value(.null) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try node.mapChild(key.stringValue).store(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        ItemEncoding(node: node.mapChild(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ItemEncoding(node: node.mapChild(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { ItemEncoding(node: node.mapChild("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ItemEncoding(node: node.mapChild(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedItemEncoding: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int {
        if case .list(let children) = node.content { return children.count }
        return 0
    }

    mutating func encodeNil() throws { node.appendChild().content = .value(.null) }
    mutating func encode(_ value: some Encodable) throws {
        let key = IndexKey(count)
        try node.appendChild().store(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        ItemEncoding(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ItemEncoding(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { ItemEncoding(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleItemEncoding: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .value(.s(value)) }
    mutating func encode(_ value: Double) throws { node.content = .value(try number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { node.content = .value(try number(value, codingPath)) }
    mutating func encode(_ value: Int) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: Int8) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: Int16) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: Int32) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: Int64) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: UInt) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: UInt8) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: UInt16) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: UInt32) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: UInt64) throws { node.content = .value(.n(String(value))) }
    mutating func encode(_ value: some Encodable) throws { try node.store(value, codingPath: codingPath) }
}

// MARK: - Decoding

private struct ItemDecoding: Decoder {
    let value: AttributeValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .m(let map) = value else { throw mismatch("a map (M)") }
        return KeyedDecodingContainer(KeyedItemDecoding<Key>(map: map, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let elements: [AttributeValue]
        switch value {
        case .l(let list): elements = list
        case .ss(let strings): elements = strings.map(AttributeValue.s)
        case .ns(let numbers): elements = numbers.map(AttributeValue.n)
        case .bs(let blobs): elements = blobs.map(AttributeValue.b)
        default: throw mismatch("a list or set (L, SS, NS, BS)")
        }
        return UnkeyedItemDecoding(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let convertible = type as? any DynamoDBAttributeConvertible.Type {
            return try convertible.init(dynamoDBAttribute: value, codingPath: codingPath) as! T
        }
        if type == AttributeValue.self { return value as! T }
        return try T(from: self)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .n(let text) = value else { throw mismatch("a number (N)") }
        guard let number = T(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(text) does not fit \(T.self)"))
        }
        return number
    }

    func floating<T: LosslessStringConvertible>(_ type: T.Type) throws -> T {
        guard case .n(let text) = value else { throw mismatch("a number (N)") }
        guard let number = T(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(text) is not a \(T.self)"))
        }
        return number
    }
}

extension ItemDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch("a boolean (BOOL)") }
        return flag
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .s(let text) = value else { throw mismatch("a string (S)") }
        return text
    }
    func decode(_ type: Double.Type) throws -> Double { try floating(type) }
    func decode(_ type: Float.Type) throws -> Float { try floating(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

private struct KeyedItemDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let map: [String: AttributeValue]
    let codingPath: [any CodingKey]
    var allKeys: [Key] { map.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { map[key.stringValue] != nil }

    func child(_ key: Key) throws -> ItemDecoding {
        guard let value = map[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no attribute \(key.stringValue)"))
        }
        return ItemDecoding(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { map[key.stringValue].map { $0 == .null } ?? true }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { ItemDecoding(value: map["super"] ?? .null, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedItemDecoding: UnkeyedDecodingContainer {
    let elements: [AttributeValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> ItemDecoding {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self,
                .init(codingPath: codingPath, debugDescription: "the list has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return ItemDecoding(value: elements[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<
        NestedKey
    > {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}
