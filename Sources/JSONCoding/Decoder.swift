/// One step of a decoder's coding path, kept cheap: a member's key is its tape index (made a
/// `CodingKey` only when someone asks for the path), an element its position.
struct PathEntry {
    enum Kind: UInt8 {
        /// `value` is the tape index of the member's key.
        case member
        /// `value` is the element's position.
        case index
        /// `value` indexes the decoder's `extraKeys` (a key a model named that the document
        /// does not have).
        case external
    }

    var kind: Kind
    var value: Int
}

/// Where a container is: the first `base` entries of its decoder's path, then `suffix` (empty
/// except for nested containers, which outlive the step their parent took to make them).
struct ContainerPath {
    var base: Int
    var suffix: [PathEntry]
}

/// The one `Decoder` a decode goes through: its state (the value being decoded, the coding
/// path) changes as `init(from:)` calls nest, and is restored as they return.
final class TapeDecoder: Decoder {
    let document: Document
    let options: [CodingUserInfoKey: any Sendable]
    /// The tape index of the value being decoded.
    @exclusivity(unchecked) var current = 0
    @exclusivity(unchecked) var path: [PathEntry] = []
    @exclusivity(unchecked) var extraKeys: [any CodingKey] = []

    init(document: Document, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.document = document
        self.options = userInfo
        path.reserveCapacity(16)
    }

    var userInfo: [CodingUserInfoKey: Any] { options }

    var codingPath: [any CodingKey] { keys(path[...]) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(Key.self, at: current, in: ContainerPath(base: path.count, suffix: []))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(at: current, in: ContainerPath(base: path.count, suffix: []))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(decoder: self, index: current, path: ContainerPath(base: path.count, suffix: []))
    }

    // MARK: Paths

    func keys(_ entries: ArraySlice<PathEntry>) -> [any CodingKey] {
        entries.map { entry -> any CodingKey in
            switch entry.kind {
            case .member: JSONCodingKey(stringValue: document.string(entry.value))
            case .index: JSONCodingKey(intValue: entry.value)
            case .external: extraKeys[entry.value]
            }
        }
    }

    func codingPath(_ container: ContainerPath, _ entry: PathEntry? = nil) -> [any CodingKey] {
        var result = keys(path[..<min(container.base, path.count)]) + keys(container.suffix[...])
        if let entry { result += keys([entry][...]) }
        return result
    }

    func external(_ key: some CodingKey) -> PathEntry {
        extraKeys.append(key)
        return PathEntry(kind: .external, value: extraKeys.count - 1)
    }

    /// Makes the path the container's, then one step more. Returns what `leave` needs to
    /// put it back: nil in the common case (the path already was the container's).
    @inline(__always) func enter(_ container: ContainerPath, _ entry: PathEntry?) -> [PathEntry]? {
        var saved: [PathEntry]?
        if path.count != container.base || !container.suffix.isEmpty {
            saved = path
            path = Array(path.prefix(container.base)) + container.suffix
        }
        if let entry { path.append(entry) }
        return saved
    }

    @inline(__always) func leave(_ saved: [PathEntry]?, _ entry: PathEntry?) {
        if let saved {
            path = saved
        } else if entry != nil {
            path.removeLast()
        }
    }

    // MARK: Containers

    func keyedContainer<Key: CodingKey>(_: Key.Type, at index: Int, in path: ContainerPath) throws
        -> KeyedDecodingContainer<Key>
    {
        guard document.kind(index) == Kind.object else {
            throw mismatch([String: Any].self, at: index, codingPath(path))
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, object: index, path: path))
    }

    func unkeyedContainer(at index: Int, in path: ContainerPath) throws -> UnkeyedContainer {
        guard document.kind(index) == Kind.array else {
            throw mismatch([Any].self, at: index, codingPath(path))
        }
        return UnkeyedContainer(decoder: self, array: index, path: path)
    }

    // MARK: Errors

    func mismatch(_ type: Any.Type, at index: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        let kind = document.kind(index)
        if kind == Kind.null {
            return .valueNotFound(
                type, .init(codingPath: codingPath, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(
            type,
            .init(
                codingPath: codingPath,
                debugDescription:
                    "Expected to decode \(type) but found \(Kind.describe(kind)) instead (at byte \(document.tape[index].offset))."
            ))
    }

    func numberDoesNotFit(_ type: Any.Type, at index: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        let text = String(decoding: document.numberText(index), as: UTF8.self)
        return .dataCorrupted(
            .init(
                codingPath: codingPath,
                debugDescription:
                    "Parsed JSON number <\(text)> does not fit in \(type) (at byte \(document.tape[index].offset))."
            ))
    }

    // MARK: Values

    @inline(__always) func unboxString(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> String {
        guard document.kind(index) == Kind.string else {
            throw mismatch(String.self, at: index, codingPath(path, entry))
        }
        return document.string(index)
    }

    @inline(__always) func unboxBool(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> Bool {
        switch document.kind(index) {
        case Kind.true: return true
        case Kind.false: return false
        default: throw mismatch(Bool.self, at: index, codingPath(path, entry))
        }
    }

    @inline(__always) func unboxInteger<I: FixedWidthInteger>(
        _ type: I.Type, _ index: Int, _ path: ContainerPath, _ entry: PathEntry?
    ) throws -> I {
        let kind = document.kind(index)
        if kind == Kind.integer {
            let text = document.numberText(index)
            if I.isSigned {
                if let value = NumberParsing.int64(text), let result = I(exactly: value) { return result }
            } else if let value = NumberParsing.uint64(text), let result = I(exactly: value) {
                return result
            }
        } else if kind == Kind.float {
            // `1e3` and `60.0` are whole numbers too.
            let double = NumberParsing.double(document.numberText(index))
            if let result = I(exactly: double) { return result }
        } else {
            throw mismatch(I.self, at: index, codingPath(path, entry))
        }
        throw numberDoesNotFit(I.self, at: index, codingPath(path, entry))
    }

    @inline(__always) func unboxDouble(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> Double {
        let kind = document.kind(index)
        guard kind == Kind.integer || kind == Kind.float else {
            throw mismatch(Double.self, at: index, codingPath(path, entry))
        }
        let value = NumberParsing.double(document.numberText(index))
        guard value.isFinite else { throw numberDoesNotFit(Double.self, at: index, codingPath(path, entry)) }
        return value
    }

    func unboxFloat(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> Float {
        let kind = document.kind(index)
        guard kind == Kind.integer || kind == Kind.float else {
            throw mismatch(Float.self, at: index, codingPath(path, entry))
        }
        let value = NumberParsing.float(document.numberText(index))
        guard value.isFinite else { throw numberDoesNotFit(Float.self, at: index, codingPath(path, entry)) }
        return value
    }

    /// Decodes any `Decodable` at `index`: the common types directly, others through their
    /// `init(from:)` with this decoder moved to `index` and the path one step longer.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, in path: ContainerPath, entry: PathEntry?) throws
        -> T
    {
        if T.self == String.self { return knownCast(try unboxString(index, path, entry), to: T.self) }
        if T.self == Int.self { return knownCast(try unboxInteger(Int.self, index, path, entry), to: T.self) }
        if T.self == Bool.self { return knownCast(try unboxBool(index, path, entry), to: T.self) }
        if T.self == Double.self { return knownCast(try unboxDouble(index, path, entry), to: T.self) }
        if T.self == Int64.self { return knownCast(try unboxInteger(Int64.self, index, path, entry), to: T.self) }
        if T.self == JSONValue.self { return knownCast(try jsonValue(index, path, entry), to: T.self) }
        if T.self == [String: String].self { return knownCast(try stringDictionary(index, path, entry), to: T.self) }
        if T.self == [String].self { return knownCast(try stringArray(index, path, entry), to: T.self) }
        let savedCurrent = current
        let savedPath = enter(path, entry)
        current = index
        defer {
            current = savedCurrent
            leave(savedPath, entry)
        }
        return try T(from: self)
    }

    func jsonValue(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> JSONValue {
        do {
            return try document.jsonValue(at: index)
        } catch {
            let inner = document.relativePath(to: error.index, from: index)
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath(path, entry) + inner, debugDescription: error.error.description,
                    underlyingError: error.error))
        }
    }

    private func stringDictionary(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> [String: String] {
        guard document.kind(index) == Kind.object else {
            throw mismatch([String: String].self, at: index, codingPath(path, entry))
        }
        var result = [String: String](minimumCapacity: Int(document.tape[index].a))
        var key = index + 1
        let end = Int(document.tape[index].b)
        while key < end {
            let value = key + 1
            guard document.kind(value) == Kind.string else {
                throw mismatch(
                    String.self, at: value, codingPath(path, entry) + keys([PathEntry(kind: .member, value: key)]))
            }
            result[document.string(key)] = document.string(value)
            key = document.next(value)
        }
        return result
    }

    private func stringArray(_ index: Int, _ path: ContainerPath, _ entry: PathEntry?) throws -> [String] {
        guard document.kind(index) == Kind.array else {
            throw mismatch([String].self, at: index, codingPath(path, entry))
        }
        var result: [String] = []
        result.reserveCapacity(Int(document.tape[index].a))
        var element = index + 1
        let end = Int(document.tape[index].b)
        while element < end {
            guard document.kind(element) == Kind.string else {
                throw mismatch(
                    String.self, at: element,
                    codingPath(path, entry) + [JSONCodingKey(intValue: result.count)])
            }
            result.append(document.string(element))
            element = document.next(element)
        }
        return result
    }

    /// A decoder of its own for `superDecoder()`: it may be used while its parent is.
    func subDecoder(at index: Int, _ path: ContainerPath, _ entry: PathEntry) -> TapeDecoder {
        let decoder = TapeDecoder(document: document, userInfo: options)
        decoder.extraKeys = extraKeys
        decoder.path = Array(self.path[..<min(path.base, self.path.count)]) + path.suffix + [entry]
        decoder.current = index
        return decoder
    }
}

// MARK: - Keyed

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    let object: Int
    let path: ContainerPath

    init(decoder: TapeDecoder, object: Int, path: ContainerPath) {
        self.decoder = decoder
        self.object = object
        self.path = path
    }

    var codingPath: [any CodingKey] { decoder.codingPath(path) }

    var allKeys: [Key] {
        decoder.document.lastMemberKeys(object).compactMap { Key(stringValue: decoder.document.string($0)) }
    }

    /// The tape index of `key`'s entry, or nil.
    @inline(__always) private func find(_ key: Key) -> Int? {
        let name = key.stringValue
        if let found = name.utf8.withContiguousStorageIfAvailable({ decoder.document.findMember(in: object, key: $0) })
        {
            return found
        }
        return Array(name.utf8).withUnsafeBufferPointer { decoder.document.findMember(in: object, key: $0) }
    }

    @inline(__always) private func require(_ key: Key) throws -> Int {
        guard let found = find(key) else {
            throw DecodingError.keyNotFound(
                key,
                .init(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(describe(key)) (\"\(key.stringValue)\")."))
        }
        return found
    }

    private func describe(_ key: Key) -> String {
        if let intValue = key.intValue { return "\(Key.self)(intValue: \(intValue))" }
        return "\(Key.self)(stringValue: \"\(key.stringValue)\")"
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        decoder.document.kind(try require(key) + 1) == Kind.null
    }

    @inline(__always) private func member(_ keyIndex: Int) -> PathEntry { PathEntry(kind: .member, value: keyIndex) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let k = try require(key)
        return try decoder.unboxBool(k + 1, path, member(k))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let k = try require(key)
        return try decoder.unboxString(k + 1, path, member(k))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let k = try require(key)
        return try decoder.unboxDouble(k + 1, path, member(k))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let k = try require(key)
        return try decoder.unboxFloat(k + 1, path, member(k))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    @inline(__always) private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        let k = try require(key)
        return try decoder.unboxInteger(type, k + 1, path, member(k))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let k = try require(key)
        return try decoder.decodeValue(type, at: k + 1, in: path, entry: member(k))
    }

    // One lookup each, where the defaults would do three (contains, decodeNil, decode).

    /// The value's tape index, or nil when the key is missing or the value is null.
    @inline(__always) private func present(_ key: Key) -> Int? {
        guard let k = find(key), decoder.document.kind(k + 1) != Kind.null else { return nil }
        return k
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxBool(k + 1, path, member(k))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxString(k + 1, path, member(k))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxDouble(k + 1, path, member(k))
    }

    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxFloat(k + 1, path, member(k))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(type, key) }

    @inline(__always) private func integerIfPresent<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxInteger(type, k + 1, path, member(k))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let k = present(key) else { return nil }
        return try decoder.decodeValue(type, at: k + 1, in: path, entry: member(k))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let k = try require(key)
        return try decoder.keyedContainer(
            NestedKey.self, at: k + 1, in: ContainerPath(base: path.base, suffix: path.suffix + [member(k)]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let k = try require(key)
        return try decoder.unkeyedContainer(
            at: k + 1, in: ContainerPath(base: path.base, suffix: path.suffix + [member(k)]))
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(key: JSONCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try superDecoder(key: key)
    }

    /// A missing key gives a decoder of `null`, as Foundation's does.
    private func superDecoder(key: some CodingKey) throws -> any Decoder {
        let document = decoder.document
        let found =
            key.stringValue.utf8.withContiguousStorageIfAvailable {
                document.findMember(in: object, key: $0)
            } ?? Array(key.stringValue.utf8).withUnsafeBufferPointer { document.findMember(in: object, key: $0) }
        if let found {
            return decoder.subDecoder(at: found + 1, path, member(found))
        }
        return decoder.subDecoder(at: document.tapeCount, path, decoder.external(key))
    }
}

// MARK: - Unkeyed

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    let path: ContainerPath
    let end: Int
    var position: Int
    private(set) var currentIndex = 0
    let count: Int?

    init(decoder: TapeDecoder, array: Int, path: ContainerPath) {
        self.decoder = decoder
        self.path = path
        let entry = decoder.document.tape[array]
        self.end = Int(entry.b)
        self.position = array + 1
        self.count = Int(entry.a)
    }

    var codingPath: [any CodingKey] { decoder.codingPath(path) }

    var isAtEnd: Bool { position >= end }

    @inline(__always) private var element: PathEntry { PathEntry(kind: .index, value: currentIndex) }

    @inline(__always) private func checkNotAtEnd(_ type: Any.Type) throws {
        if position >= end {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: decoder.codingPath(path, element),
                    debugDescription: "Unkeyed container is at end."))
        }
    }

    @inline(__always) private mutating func advance() {
        position = decoder.document.next(position)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        try checkNotAtEnd(Never.self)
        if decoder.document.kind(position) == Kind.null {
            advance()
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try checkNotAtEnd(type)
        let value = try decoder.unboxBool(position, path, element)
        advance()
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        try checkNotAtEnd(type)
        let value = try decoder.unboxString(position, path, element)
        advance()
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        try checkNotAtEnd(type)
        let value = try decoder.unboxDouble(position, path, element)
        advance()
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        try checkNotAtEnd(type)
        let value = try decoder.unboxFloat(position, path, element)
        advance()
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    @inline(__always) private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try checkNotAtEnd(type)
        let value = try decoder.unboxInteger(type, position, path, element)
        advance()
        return value
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try checkNotAtEnd(type)
        let value = try decoder.decodeValue(type, at: position, in: path, entry: element)
        advance()
        return value
    }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try checkNotAtEnd(type)
        if decoder.document.kind(position) == Kind.null {
            advance()
            return nil
        }
        return try decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try checkNotAtEnd(KeyedDecodingContainer<NestedKey>.self)
        let container = try decoder.keyedContainer(
            NestedKey.self, at: position, in: ContainerPath(base: path.base, suffix: path.suffix + [element]))
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try checkNotAtEnd((any UnkeyedDecodingContainer).self)
        let container = try decoder.unkeyedContainer(
            at: position, in: ContainerPath(base: path.base, suffix: path.suffix + [element]))
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        try checkNotAtEnd((any Decoder).self)
        let sub = decoder.subDecoder(at: position, path, element)
        advance()
        return sub
    }
}

// MARK: - Single value

struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: TapeDecoder
    let index: Int
    let path: ContainerPath

    var codingPath: [any CodingKey] { decoder.codingPath(path) }

    func decodeNil() -> Bool { decoder.document.kind(index) == Kind.null }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.unboxBool(index, path, nil) }
    func decode(_ type: String.Type) throws -> String { try decoder.unboxString(index, path, nil) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.unboxDouble(index, path, nil) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.unboxFloat(index, path, nil) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.unboxInteger(type, index, path, nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.unboxInteger(type, index, path, nil) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decodeValue(type, at: index, in: path, entry: nil)
    }
}
