#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growing byte buffer.
struct ByteWriter {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func release() { base.deallocate() }

    @inline(__always) mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        if bytes.count > 0 { memcpy(base + count, bytes.baseAddress!, bytes.count) }
        count += bytes.count
    }

    @inline(__always) mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    // MARK: Numbers

    private static let digitPairs: [UInt8] = Array(
        ("00010203040506070809101112131415161718192021222324252627282930313233343536373839"
            + "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
            + "8081828384858687888990919293949596979899").utf8)

    mutating func append(integer value: some FixedWidthInteger) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(magnitude: UInt64(truncatingIfNeeded: 0 &- Int64(truncatingIfNeeded: value)))
        } else {
            append(magnitude: UInt64(truncatingIfNeeded: value))
        }
    }

    mutating func append(magnitude value: UInt64) {
        reserve(20)
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20, value >= scale {
            digits += 1
            if digits < 20 { scale &*= 10 }
        }
        var position = count + digits
        var rest = value
        Self.digitPairs.withUnsafeBufferPointer { pairs in
            while rest >= 100 {
                let pair = Int(rest % 100) * 2
                rest /= 100
                position -= 2
                base[position] = pairs[pair]
                base[position + 1] = pairs[pair + 1]
            }
            if rest >= 10 {
                let pair = Int(rest) * 2
                position -= 2
                base[position] = pairs[pair]
                base[position + 1] = pairs[pair + 1]
            } else {
                position -= 1
                base[position] = UInt8(ascii: "0") + UInt8(rest)
            }
        }
        count += digits
    }

    /// The shortest text that reads back as `value` (Swift's `description`), with a whole
    /// number written without `.0`. The caller checks the value is finite.
    mutating func append(double value: Double) {
        if value.rounded(.towardZero) == value, abs(value) < 9_007_199_254_740_992 {
            if value == 0, value.sign == .minus {
                append("-0")
            } else {
                append(integer: Int64(value))
            }
            return
        }
        append(description: value.description)
    }

    mutating func append(float value: Float) {
        if value.rounded(.towardZero) == value, abs(value) < 16_777_216 {
            if value == 0, value.sign == .minus {
                append("-0")
            } else {
                append(integer: Int64(value))
            }
            return
        }
        append(description: value.description)
    }

    private mutating func append(description: String) {
        var text = description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { append($0) }
    }

    // MARK: Strings

    /// `string` in quotes, escaping what JSON requires (`"`, `\` and control bytes) and
    /// nothing else: `/` and non-ASCII text are written as they are.
    @inline(__always) mutating func append(string: String) {
        if let done: Void = string.utf8.withContiguousStorageIfAvailable({ append(quoted: $0) }) { return done }
        var copy = string
        copy.makeContiguousUTF8()
        copy.withUTF8 { append(quoted: $0) }
    }

    mutating func append(quoted source: UnsafeBufferPointer<UInt8>) {
        let n = source.count
        reserve(n + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        guard let input = source.baseAddress else {
            base[count] = UInt8(ascii: "\"")
            count += 1
            return
        }
        var i = 0
        var runStart = 0
        while true {
            // Find the next byte to escape, a word at a time while a whole word is left.
            while i + 8 <= n {
                let mask = SWAR.escapeStops(
                    UInt64(littleEndian: UnsafeRawPointer(input + i).loadUnaligned(as: UInt64.self)))
                if mask != 0 {
                    i += mask.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            if i + 8 > n {
                while i < n {
                    let byte = input[i]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    i += 1
                }
            }
            // Copy the run before it.
            let run = i - runStart
            if run > 0 {
                reserve(run + 1)
                memcpy(base + count, input + runStart, run)
                count += run
            }
            if i >= n { break }
            let byte = input[i]
            reserve(7)
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            default:
                append("\\u00")
                append(Self.hexDigits[Int(byte >> 4)])
                append(Self.hexDigits[Int(byte & 0xF)])
            }
            i += 1
            runStart = i
        }
        append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// A frame per open container: what closes it and how many members or elements it has.
struct EncodingFrame {
    var isObject: Bool
    var count: Int
    var id: Int
}

/// The one `Encoder` an encode goes through: containers write as they are used, into one
/// buffer. A value's slot is the depth of the frame stack when its `encode(to:)` began; a
/// container opened there is closed when the value's `encode(to:)` returns, a nested
/// container when its parent writes again or closes.
final class StreamingEncoder: Encoder {
    let options: [CodingUserInfoKey: any Sendable]
    /// A kilobyte: a Lambda response or an AWS request is rarely smaller, and starting at 256
    /// bytes took two grows (an allocation and a copy each) to encode a 1 KB event.
    @exclusivity(unchecked) var writer = ByteWriter(capacity: 1024)
    @exclusivity(unchecked) var frames: [EncodingFrame] = []
    @exclusivity(unchecked) var path: [any CodingKey] = []
    /// The frame depth at which the value being encoded opens its container.
    @exclusivity(unchecked) var slot = 0
    /// The buffer's count when the value being encoded began.
    @exclusivity(unchecked) var slotStart = 0
    @exclusivity(unchecked) var nextID = 0
    /// The first misuse of the containers (they cannot throw where it happens): thrown at the
    /// end of the encode.
    @exclusivity(unchecked) var misuse: EncodingError?

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.options = userInfo
        frames.reserveCapacity(16)
        path.reserveCapacity(16)
    }

    deinit { writer.release() }

    var userInfo: [CodingUserInfoKey: Any] { options }

    var codingPath: [any CodingKey] { path }

    func takeBytes() -> [UInt8] { writer.bytes }

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        try encodeValue(value, path: ContainerPathKeys(base: 0, suffix: []), key: JSONCodingKey?.none)
        closeFrames(downTo: 0)
        if let misuse { throw misuse }
    }

    // MARK: Containers

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let keys = ContainerPathKeys(base: path.count, suffix: [])
        if frames.count > slot, frames[slot].isObject {
            // A second container(keyedBy:) for the same value continues its object.
            closeFrames(downTo: slot + 1)
            return KeyedEncodingContainer(
                KeyedEncoder<Key>(encoder: self, depth: slot, id: frames[slot].id, keys: keys))
        }
        guard frames.count == slot, writer.count == slotStart else {
            recordMisuse("a keyed container was requested for a value that already encoded something else")
            return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: self, depth: slot, id: -1, keys: keys))
        }
        let id = open(isObject: true)
        return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: self, depth: slot, id: id, keys: keys))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let keys = ContainerPathKeys(base: path.count, suffix: [])
        if frames.count > slot, !frames[slot].isObject {
            closeFrames(downTo: slot + 1)
            return UnkeyedEncoder(encoder: self, depth: slot, id: frames[slot].id, keys: keys)
        }
        guard frames.count == slot, writer.count == slotStart else {
            recordMisuse("an unkeyed container was requested for a value that already encoded something else")
            return UnkeyedEncoder(encoder: self, depth: slot, id: -1, keys: keys)
        }
        let id = open(isObject: false)
        return UnkeyedEncoder(encoder: self, depth: slot, id: id, keys: keys)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueEncoder(
            encoder: self, depth: slot, start: slotStart, keys: ContainerPathKeys(base: path.count, suffix: []))
    }

    // MARK: Frames

    func open(isObject: Bool) -> Int {
        writer.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        nextID += 1
        frames.append(EncodingFrame(isObject: isObject, count: 0, id: nextID))
        return nextID
    }

    @inline(__always) func closeFrames(downTo depth: Int) {
        while frames.count > depth {
            let frame = frames.removeLast()
            writer.append(frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    func recordMisuse(_ description: String) {
        if misuse == nil {
            misuse = EncodingError.invalidValue(
                (), .init(codingPath: path, debugDescription: "Misused encoding container: \(description)."))
        }
    }

    /// Readies the frame at `depth` for another member or element: closes what its last one
    /// left open and writes the separator. False if the container is no longer open.
    @inline(__always) func beginItem(depth: Int, id: Int) -> Bool {
        guard depth < frames.count, frames[depth].id == id else {
            recordMisuse("a container was used after its parent wrote again or after its value ended")
            return false
        }
        if frames.count > depth + 1 { closeFrames(downTo: depth + 1) }
        if frames[depth].count > 0 { writer.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        return true
    }

    // MARK: Values

    func invalidFloat(_ value: Any, _ keys: ContainerPathKeys, _ key: (some CodingKey)?) -> EncodingError {
        var codingPath = self.codingPath(keys)
        if let key { codingPath.append(key) }
        return .invalidValue(
            value,
            .init(
                codingPath: codingPath,
                debugDescription: "Unable to encode \(type(of: value)).\(value) directly in JSON."))
    }

    func codingPath(_ keys: ContainerPathKeys) -> [any CodingKey] {
        Array(path[..<min(keys.base, path.count)]) + keys.suffix
    }

    @inline(__always) func write(_ value: Double, _ keys: ContainerPathKeys, _ key: (some CodingKey)?) throws {
        guard value.isFinite else { throw invalidFloat(value, keys, key) }
        writer.append(double: value)
    }

    @inline(__always) func write(_ value: Float, _ keys: ContainerPathKeys, _ key: (some CodingKey)?) throws {
        guard value.isFinite else { throw invalidFloat(value, keys, key) }
        writer.append(float: value)
    }

    /// Writes any `Encodable`: the common types directly, others through their
    /// `encode(to:)` with this encoder's slot moved to the current frame depth.
    func encodeValue<T: Encodable, K: CodingKey>(_ value: T, path keys: ContainerPathKeys, key: K?) throws {
        if T.self == String.self { return writer.append(string: knownCast(value, to: String.self)) }
        if T.self == Int.self { return writer.append(integer: knownCast(value, to: Int.self)) }
        if T.self == Bool.self { return writer.append(knownCast(value, to: Bool.self) ? "true" : "false") }
        if T.self == Double.self { return try write(knownCast(value, to: Double.self), keys, key) }
        if T.self == Int64.self { return writer.append(integer: knownCast(value, to: Int64.self)) }
        if T.self == JSONValue.self { return try write(knownCast(value, to: JSONValue.self), keys, key) }
        if T.self == [String: String].self {
            let dictionary = knownCast(value, to: [String: String].self)
            writer.append(UInt8(ascii: "{"))
            var first = true
            for (name, member) in dictionary {
                if !first { writer.append(UInt8(ascii: ",")) }
                first = false
                writer.append(string: name)
                writer.append(UInt8(ascii: ":"))
                writer.append(string: member)
            }
            writer.append(UInt8(ascii: "}"))
            return
        }
        if T.self == [String].self {
            writer.append(UInt8(ascii: "["))
            for (position, element) in knownCast(value, to: [String].self).enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                writer.append(string: element)
            }
            writer.append(UInt8(ascii: "]"))
            return
        }
        let savedSlot = slot
        let savedStart = slotStart
        let savedCount = path.count
        // The path is the container's: a nested container's (or a super encoder's) differs
        // from what its parent left, and is put back afterwards.
        var savedPath: [any CodingKey]?
        if path.count != keys.base || !keys.suffix.isEmpty {
            savedPath = path
            path = Array(path.prefix(keys.base)) + keys.suffix
        }
        if let key { path.append(key) }
        slot = frames.count
        slotStart = writer.count
        defer {
            slot = savedSlot
            slotStart = savedStart
            if let savedPath {
                path = savedPath
            } else {
                path.removeLast(path.count - savedCount)
            }
        }
        try value.encode(to: self)
        closeFrames(downTo: slot)
        // A value that encoded nothing is an empty object, as with Foundation.
        if writer.count == slotStart { writer.append("{}") }
    }

    func write(_ value: JSONValue, _ keys: ContainerPathKeys, _ key: (some CodingKey)?) throws {
        do {
            try writeJSON(value)
        } catch {
            var codingPath = self.codingPath(keys)
            if let key { codingPath.append(key) }
            codingPath += error.path.reversed()
            throw EncodingError.invalidValue(
                error.value,
                .init(codingPath: codingPath, debugDescription: "Unable to encode \(error.value) directly in JSON."))
        }
    }

    struct NonFiniteNumber: Error {
        var value: Double
        var path: [any CodingKey]
    }

    private func writeJSON(_ value: JSONValue) throws(NonFiniteNumber) {
        switch value {
        case .null: writer.append("null")
        case .bool(let bool): writer.append(bool ? "true" : "false")
        case .integer(let integer): writer.append(integer: integer)
        case .number(let number):
            guard number.isFinite else { throw NonFiniteNumber(value: number, path: []) }
            writer.append(double: number)
        case .string(let string): writer.append(string: string)
        case .array(let elements):
            writer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                do {
                    try writeJSON(element)
                } catch {
                    var failure = error
                    failure.path.append(JSONCodingKey(intValue: position))
                    throw failure
                }
            }
            writer.append(UInt8(ascii: "]"))
        case .object(let members):
            writer.append(UInt8(ascii: "{"))
            var first = true
            for (name, member) in members {
                if !first { writer.append(UInt8(ascii: ",")) }
                first = false
                writer.append(string: name)
                writer.append(UInt8(ascii: ":"))
                do {
                    try writeJSON(member)
                } catch {
                    var failure = error
                    failure.path.append(JSONCodingKey(stringValue: name))
                    throw failure
                }
            }
            writer.append(UInt8(ascii: "}"))
        }
    }
}

/// Where a container is in its encoder's path: the first `base` keys, then `suffix`.
struct ContainerPathKeys {
    var base: Int
    var suffix: [any CodingKey]
}

// MARK: - Keyed

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamingEncoder
    let depth: Int
    let id: Int
    let keys: ContainerPathKeys

    var codingPath: [any CodingKey] { encoder.codingPath(keys) }

    /// Separator and key; false when the container is closed.
    @inline(__always) private func begin(_ key: Key) -> Bool {
        guard encoder.beginItem(depth: depth, id: id) else { return false }
        encoder.writer.append(string: key.stringValue)
        encoder.writer.append(UInt8(ascii: ":"))
        return true
    }

    mutating func encodeNil(forKey key: Key) throws {
        if begin(key) { encoder.writer.append("null") }
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(value ? "true" : "false") }
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(string: value) }
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        if begin(key) { try encoder.write(value, keys, key) }
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        if begin(key) { try encoder.write(value, keys, key) }
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        if begin(key) { encoder.writer.append(integer: value) }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if begin(key) { try encoder.encodeValue(value, path: keys, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nestedKeys = ContainerPathKeys(base: keys.base, suffix: keys.suffix + [key])
        guard begin(key) else {
            return KeyedEncodingContainer(
                KeyedEncoder<NestedKey>(encoder: encoder, depth: depth + 1, id: -1, keys: nestedKeys))
        }
        let id = encoder.open(isObject: true)
        return KeyedEncodingContainer(
            KeyedEncoder<NestedKey>(encoder: encoder, depth: depth + 1, id: id, keys: nestedKeys))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nestedKeys = ContainerPathKeys(base: keys.base, suffix: keys.suffix + [key])
        guard begin(key) else { return UnkeyedEncoder(encoder: encoder, depth: depth + 1, id: -1, keys: nestedKeys) }
        let id = encoder.open(isObject: false)
        return UnkeyedEncoder(encoder: encoder, depth: depth + 1, id: id, keys: nestedKeys)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(key: JSONCodingKey(stringValue: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(key: key)
    }

    private func superEncoder(key: some CodingKey) -> any Encoder {
        let path = encoder.codingPath(keys) + [key]
        guard encoder.beginItem(depth: depth, id: id) else {
            return SuperEncoder(encoder: encoder, depth: -1, path: path)
        }
        encoder.writer.append(string: key.stringValue)
        encoder.writer.append(UInt8(ascii: ":"))
        return SuperEncoder.make(encoder: encoder, path: path)
    }
}

// MARK: - Unkeyed

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: StreamingEncoder
    let depth: Int
    let id: Int
    let keys: ContainerPathKeys

    var codingPath: [any CodingKey] { encoder.codingPath(keys) }

    var count: Int { depth < encoder.frames.count && encoder.frames[depth].id == id ? encoder.frames[depth].count : 0 }

    @inline(__always) private func begin() -> Bool { encoder.beginItem(depth: depth, id: id) }

    private var nextKey: JSONCodingKey { JSONCodingKey(intValue: count) }

    mutating func encodeNil() throws { if begin() { encoder.writer.append("null") } }
    mutating func encode(_ value: Bool) throws { if begin() { encoder.writer.append(value ? "true" : "false") } }
    mutating func encode(_ value: String) throws { if begin() { encoder.writer.append(string: value) } }

    mutating func encode(_ value: Double) throws {
        let key = nextKey
        if begin() { try encoder.write(value, keys, key) }
    }

    mutating func encode(_ value: Float) throws {
        let key = nextKey
        if begin() { try encoder.write(value, keys, key) }
    }

    mutating func encode(_ value: Int) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int8) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int16) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int32) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int64) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt8) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt16) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt32) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt64) throws { if begin() { encoder.writer.append(integer: value) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = nextKey
        if begin() { try encoder.encodeValue(value, path: keys, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nestedKeys = ContainerPathKeys(base: keys.base, suffix: keys.suffix + [nextKey])
        guard begin() else {
            return KeyedEncodingContainer(
                KeyedEncoder<NestedKey>(encoder: encoder, depth: depth + 1, id: -1, keys: nestedKeys))
        }
        let id = encoder.open(isObject: true)
        return KeyedEncodingContainer(
            KeyedEncoder<NestedKey>(encoder: encoder, depth: depth + 1, id: id, keys: nestedKeys))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nestedKeys = ContainerPathKeys(base: keys.base, suffix: keys.suffix + [nextKey])
        guard begin() else { return UnkeyedEncoder(encoder: encoder, depth: depth + 1, id: -1, keys: nestedKeys) }
        let id = encoder.open(isObject: false)
        return UnkeyedEncoder(encoder: encoder, depth: depth + 1, id: id, keys: nestedKeys)
    }

    mutating func superEncoder() -> any Encoder {
        let path = encoder.codingPath(keys) + [nextKey]
        guard begin() else { return SuperEncoder(encoder: encoder, depth: -1, path: path) }
        return SuperEncoder.make(encoder: encoder, path: path)
    }
}

// MARK: - Single value

struct SingleValueEncoder: SingleValueEncodingContainer {
    let encoder: StreamingEncoder
    let depth: Int
    let start: Int
    let keys: ContainerPathKeys

    var codingPath: [any CodingKey] { encoder.codingPath(keys) }

    /// A single value may be written once, where nothing else was.
    @inline(__always) private func begin() -> Bool {
        guard encoder.frames.count == depth, encoder.writer.count == start else {
            encoder.recordMisuse("a single value container encoded twice, or after a container")
            return false
        }
        return true
    }

    mutating func encodeNil() throws { if begin() { encoder.writer.append("null") } }
    mutating func encode(_ value: Bool) throws { if begin() { encoder.writer.append(value ? "true" : "false") } }
    mutating func encode(_ value: String) throws { if begin() { encoder.writer.append(string: value) } }
    mutating func encode(_ value: Double) throws { if begin() { try encoder.write(value, keys, JSONCodingKey?.none) } }
    mutating func encode(_ value: Float) throws { if begin() { try encoder.write(value, keys, JSONCodingKey?.none) } }
    mutating func encode(_ value: Int) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int8) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int16) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int32) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: Int64) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt8) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt16) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt32) throws { if begin() { encoder.writer.append(integer: value) } }
    mutating func encode(_ value: UInt64) throws { if begin() { encoder.writer.append(integer: value) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if begin() { try encoder.encodeValue(value, path: keys, key: JSONCodingKey?.none) }
    }
}

// MARK: - Super encoders

/// The encoder `superEncoder()` returns: a value slot of its own, right after the key (or at
/// the element) its container wrote. Until it is used, a placeholder frame keeps the slot; if
/// the parent moves on first, the slot becomes `{}`.
final class SuperEncoder: Encoder {
    let encoder: StreamingEncoder
    /// The frame depth of the slot, or -1 for a dead one.
    let depth: Int
    /// The placeholder frame's id.
    let id: Int
    let codingPath: [any CodingKey]

    init(encoder: StreamingEncoder, depth: Int, id: Int = -1, path: [any CodingKey]) {
        self.encoder = encoder
        self.depth = depth
        self.id = id
        self.codingPath = path
    }

    static func make(encoder: StreamingEncoder, path: [any CodingKey]) -> SuperEncoder {
        // The placeholder: an object frame, opened now, so the slot is `{…}` whatever happens.
        let depth = encoder.frames.count
        let id = encoder.open(isObject: true)
        return SuperEncoder(encoder: encoder, depth: depth, id: id, path: path)
    }

    var userInfo: [CodingUserInfoKey: Any] { encoder.userInfo }

    private var keys: ContainerPathKeys { ContainerPathKeys(base: 0, suffix: codingPath) }

    private var isOpen: Bool { depth >= 0 && depth < encoder.frames.count && encoder.frames[depth].id == id }

    /// Open, and nothing written into it yet.
    private var isUntouched: Bool {
        isOpen && encoder.frames[depth].count == 0 && encoder.frames.count == depth + 1
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        guard isOpen, encoder.frames[depth].isObject else {
            encoder.recordMisuse("a super encoder was used after its container moved on")
            return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: encoder, depth: depth, id: -1, keys: keys))
        }
        encoder.closeFrames(downTo: depth + 1)
        return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: encoder, depth: depth, id: id, keys: keys))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if isOpen, !encoder.frames[depth].isObject {
            encoder.closeFrames(downTo: depth + 1)
            return UnkeyedEncoder(encoder: encoder, depth: depth, id: id, keys: keys)
        }
        guard isUntouched else {
            encoder.recordMisuse("a super encoder was used after its container moved on, or for two kinds of value")
            return UnkeyedEncoder(encoder: encoder, depth: depth, id: -1, keys: keys)
        }
        // Nothing was written after the placeholder's `{`: make it a `[`.
        encoder.writer.base[encoder.writer.count - 1] = UInt8(ascii: "[")
        encoder.frames[depth].isObject = false
        return UnkeyedEncoder(encoder: encoder, depth: depth, id: id, keys: keys)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SuperSingleValue(superEncoder: self)
    }

    /// Writes a value in the placeholder's place.
    func replacePlaceholder(_ write: (StreamingEncoder, ContainerPathKeys) throws -> Void) throws {
        guard isUntouched else {
            encoder.recordMisuse("a super encoder was used after its container moved on, or twice")
            return
        }
        encoder.frames.removeLast()
        encoder.writer.count -= 1  // the placeholder's `{`
        try write(encoder, keys)
    }
}

/// A super encoder's single value: the value replaces the placeholder object.
struct SuperSingleValue: SingleValueEncodingContainer {
    let superEncoder: SuperEncoder
    var codingPath: [any CodingKey] { superEncoder.codingPath }

    mutating func encodeNil() throws {
        try superEncoder.replacePlaceholder { encoder, _ in encoder.writer.append("null") }
    }
    mutating func encode(_ value: Bool) throws {
        try superEncoder.replacePlaceholder { encoder, _ in encoder.writer.append(value ? "true" : "false") }
    }
    mutating func encode(_ value: String) throws {
        try superEncoder.replacePlaceholder { encoder, _ in encoder.writer.append(string: value) }
    }
    mutating func encode(_ value: Double) throws {
        try superEncoder.replacePlaceholder { encoder, keys in try encoder.write(value, keys, JSONCodingKey?.none) }
    }
    mutating func encode(_ value: Float) throws {
        try superEncoder.replacePlaceholder { encoder, keys in try encoder.write(value, keys, JSONCodingKey?.none) }
    }
    mutating func encode(_ value: Int) throws { try integer(value) }
    mutating func encode(_ value: Int8) throws { try integer(value) }
    mutating func encode(_ value: Int16) throws { try integer(value) }
    mutating func encode(_ value: Int32) throws { try integer(value) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { try integer(value) }
    mutating func encode(_ value: UInt16) throws { try integer(value) }
    mutating func encode(_ value: UInt32) throws { try integer(value) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }

    private func integer(_ value: some FixedWidthInteger) throws {
        try superEncoder.replacePlaceholder { encoder, _ in encoder.writer.append(integer: value) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try superEncoder.replacePlaceholder { encoder, keys in
            try encoder.encodeValue(value, path: keys, key: JSONCodingKey?.none)
        }
    }
}
