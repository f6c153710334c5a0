#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The decoder's index of a document: a "tape" of 16-byte entries, one per value, in document
// order. A container's entry holds the index just past its last descendant, so skipping a
// value is O(1); an object's members are its key's entry followed by the value's. Strings
// point into the input when they have no escapes, and into `store`, where the parser wrote
// them unescaped, when they do. Numbers are validated but converted only when read.
//
// Decisions on what RFC 8259 leaves to implementations (JSONTestSuite's `i_` files):
// - A UTF-8 byte order mark at the very start is skipped (RFC 8259 §8.1: parsers MAY ignore
//   it; Foundation and Python's json.loads on bytes do). UTF-16 or UTF-32 text is refused.
// - Invalid UTF-8 in a string (a lone continuation byte, an overlong form, a truncated
//   sequence, an encoded surrogate U+D800…U+DFFF, anything above U+10FFFF, Latin-1 bytes) is
//   refused, wherever it is, whether or not the value is read: replacing it would change the
//   data a handler sees, and a Swift String cannot hold it as it is.
// - A `\u` escape of a lone surrogate (a high one not followed by a low one, a low one alone,
//   a pair in the wrong order) is refused, for the same reason.
// - Numbers of any length and exponent are valid syntax. Converting one is another matter:
//   into an integer type it must fit exactly; into `Double` (and into ``JSONValue``) a number
//   whose magnitude rounds to infinity (`1e400`, `-1e+9999`) is refused, one that underflows
//   becomes the nearest double (`0` for `123e-10000000`); an integer literal that does not fit
//   an `Int64` becomes ``JSONValue/number(_:)`` as it always has.
// - Nesting is limited to `maximumDepth` (500 by default): 500 nested arrays are accepted,
//   501 refused. The parser is iterative, so the limit is a choice, not a stack's.
// - Duplicate keys are accepted; the last one wins, for keyed containers as for
//   `[String: X]` and ``JSONValue``.

/// One value of a parsed document.
struct TapeEntry {
    /// Strings and numbers: where their bytes start (in the input, or in the store for an
    /// escaped string). Containers: how many members or elements they have.
    var a: UInt32
    /// Strings and numbers: how many bytes. Containers: the index just past the container's
    /// last descendant.
    var b: UInt32
    /// Where the value starts in the input (the opening quote of a string).
    var offset: UInt32
    /// The kind (bits 0–3), flags (bits 4–7), and an object's lookup cursor (bits 8–31).
    var tag: UInt32

    @inline(__always) var kind: UInt32 { tag & 0xF }
}

enum Kind {
    static let null: UInt32 = 0
    static let `false`: UInt32 = 1
    static let `true`: UInt32 = 2
    static let string: UInt32 = 3
    static let integer: UInt32 = 4
    static let float: UInt32 = 5
    static let array: UInt32 = 6
    static let object: UInt32 = 7

    static func describe(_ kind: UInt32) -> String {
        switch kind {
        case null: "null"
        case `false`, `true`: "a boolean"
        case string: "a string"
        case integer, float: "a number"
        case array: "an array"
        default: "an object"
        }
    }
}

enum Flag {
    /// A string whose (unescaped) bytes are in the store.
    static let escaped: UInt32 = 1 << 4
    /// An object two of whose keys share a fingerprint: it may hold a key twice.
    static let mayRepeatKeys: UInt32 = 1 << 5
    /// An object checked exactly for repeated keys.
    static let repeatsChecked: UInt32 = 1 << 6
    /// An object that does hold a key twice.
    static let repeatsKeys: UInt32 = 1 << 7
}

/// Why a document was refused: the syntax error, and the coding path of the value being read.
struct ParseFailure: Error {
    var error: JSONSyntaxError
    var path: [any CodingKey]
}

/// A parsed document: a private, zero-padded copy of the input, its tape and its store.
/// Decoders hold it, so nothing they read can outlive it.
final class Document {
    /// Bytes readable past `count`, all zero: eight-byte loads anywhere in the input are safe,
    /// and a zero stops every scanning loop without a bounds check.
    static let padding = 64

    let input: UnsafeMutablePointer<UInt8>
    let count: Int
    let tape: UnsafeMutablePointer<TapeEntry>
    /// Entries in `tape`; one more, a `null`, sits at `tapeCount` for values a model asks for
    /// that the document does not have (a `superDecoder` of a missing key).
    let tapeCount: Int
    let store: UnsafeMutablePointer<UInt8>?

    private init(
        input: UnsafeMutablePointer<UInt8>, count: Int, tape: UnsafeMutablePointer<TapeEntry>, tapeCount: Int,
        store: UnsafeMutablePointer<UInt8>?
    ) {
        self.input = input
        self.count = count
        self.tape = tape
        self.tapeCount = tapeCount
        self.store = store
    }

    deinit {
        input.deallocate()
        tape.deallocate()
        store?.deallocate()
    }

    /// Copies and parses `bytes`.
    static func parse(copying bytes: UnsafeRawBufferPointer, maximumDepth: Int) throws(ParseFailure) -> Document {
        let count = bytes.count
        guard count < Int(UInt32.max) - padding else {
            throw ParseFailure(
                error: JSONSyntaxError(byteOffset: 0, message: "documents of 4 GiB or more are not supported"), path: []
            )
        }
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: count + padding)
        if let base = bytes.baseAddress, count > 0 { memcpy(input, base, count) }
        (input + count).initialize(repeating: 0, count: padding)
        var parser = Parser(input: input, count: count, maximumDepth: max(maximumDepth, 0))
        do {
            try parser.parse()
        } catch {
            let path = parser.failurePath()
            parser.release()
            input.deallocate()
            throw ParseFailure(error: error, path: path)
        }
        parser.appendSentinelNull()
        parser.releaseFrames()
        return Document(
            input: input, count: count, tape: parser.tape, tapeCount: parser.tapeCount - 1, store: parser.store)
    }

    // MARK: Reading entries

    @inline(__always) func kind(_ index: Int) -> UInt32 { tape[index].kind }

    /// The index just past `index`'s value and its descendants.
    @inline(__always) func next(_ index: Int) -> Int {
        let entry = tape[index]
        return entry.kind >= Kind.array ? Int(entry.b) : index + 1
    }

    /// A string's bytes, unescaped.
    @inline(__always) func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let entry = tape[index]
        let base = entry.tag & Flag.escaped != 0 ? UnsafePointer(store!) : UnsafePointer(input)
        return UnsafeBufferPointer(start: base + Int(entry.a), count: Int(entry.b))
    }

    @inline(__always) func string(_ index: Int) -> String {
        String(decoding: bytes(index), as: UTF8.self)
    }

    /// A number's text.
    @inline(__always) func numberText(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let entry = tape[index]
        return UnsafeBufferPointer(start: input + Int(entry.a), count: Int(entry.b))
    }

    // MARK: Objects

    /// Whether the key at `keyIndex` is `key`.
    @inline(__always) func keyEquals(_ keyIndex: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = tape[keyIndex]
        guard Int(entry.b) == key.count else { return false }
        if key.count == 0 { return true }
        let base = entry.tag & Flag.escaped != 0 ? UnsafePointer(store!) : UnsafePointer(input)
        return memcmp(base + Int(entry.a), key.baseAddress!, key.count) == 0
    }

    /// The index of the key entry of `key` in `object`, or nil. Searches from the last key
    /// found, so members read in document order are found at the first or second comparison.
    func findMember(in object: Int, key: UnsafeBufferPointer<UInt8>) -> Int? {
        let entry = tape[object]
        let end = Int(entry.b)
        let first = object + 1
        if first >= end { return nil }
        if entry.tag & Flag.mayRepeatKeys != 0, repeatsKeys(object) {
            return findLastMember(in: object, key: key)
        }
        var start = object + Int(entry.tag >> 8)
        if start <= object || start >= end { start = first }
        var index = start
        while index < end {
            if keyEquals(index, key) {
                setCursor(object, index)
                return index
            }
            index = next(index + 1)
        }
        index = first
        while index < start {
            if keyEquals(index, key) {
                setCursor(object, index)
                return index
            }
            index = next(index + 1)
        }
        return nil
    }

    @inline(__always) private func setCursor(_ object: Int, _ keyIndex: Int) {
        let relative = keyIndex - object
        if relative < 1 << 24 {
            tape[object].tag = tape[object].tag & 0xFF | UInt32(relative) << 8
        }
    }

    private func findLastMember(in object: Int, key: UnsafeBufferPointer<UInt8>) -> Int? {
        var found: Int?
        var index = object + 1
        let end = Int(tape[object].b)
        while index < end {
            if keyEquals(index, key) { found = index }
            index = next(index + 1)
        }
        return found
    }

    /// The key entries of `object` in document order.
    func memberKeys(_ object: Int) -> [Int] {
        var keys: [Int] = []
        keys.reserveCapacity(Int(tape[object].a))
        var index = object + 1
        let end = Int(tape[object].b)
        while index < end {
            keys.append(index)
            index = next(index + 1)
        }
        return keys
    }

    /// The key entries of `object` whose key does not occur again later in it.
    func lastMemberKeys(_ object: Int) -> [Int] {
        let keys = memberKeys(object)
        guard tape[object].tag & Flag.mayRepeatKeys != 0, repeatsKeys(object) else { return keys }
        var result: [Int] = []
        for (position, key) in keys.enumerated() {
            let bytes = self.bytes(key)
            if !keys[(position + 1)...].contains(where: { keyEquals($0, bytes) }) { result.append(key) }
        }
        return result
    }

    /// Whether `object` holds a key twice; computed once, then kept in its flags.
    func repeatsKeys(_ object: Int) -> Bool {
        let tag = tape[object].tag
        if tag & Flag.repeatsChecked != 0 { return tag & Flag.repeatsKeys != 0 }
        let keys = memberKeys(object)
        var repeats = false
        if keys.count <= 32 {
            outer: for i in keys.indices {
                let bytes = self.bytes(keys[i])
                for j in keys.index(after: i)..<keys.endIndex where keyEquals(keys[j], bytes) {
                    repeats = true
                    break outer
                }
            }
        } else {
            let sorted = keys.sorted { self.bytes($0).lexicographicallyPrecedes(self.bytes($1)) }
            for (left, right) in zip(sorted, sorted.dropFirst()) where keyEquals(right, bytes(left)) {
                repeats = true
                break
            }
        }
        tape[object].tag |= Flag.repeatsChecked | (repeats ? Flag.repeatsKeys : 0)
        return repeats
    }

    /// The path, relative to `root`, of the value at `target` inside it.
    func relativePath(to target: Int, from root: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var container = root
        while container != target, kind(container) >= Kind.array {
            let isObject = kind(container) == Kind.object
            var index = container + 1
            var position = 0
            let end = Int(tape[container].b)
            var found = false
            while index < end {
                let value = isObject ? index + 1 : index
                let after = next(value)
                if target >= index, target < after {
                    path.append(
                        isObject ? JSONCodingKey(stringValue: string(index)) : JSONCodingKey(intValue: position))
                    container = value
                    found = true
                    break
                }
                index = after
                position += 1
            }
            if !found { break }
        }
        return path
    }
}

/// The parser: one pass over the input, iterative (the nesting limit is a choice, not the
/// call stack's), writing the tape.
struct Parser {
    struct Frame {
        var entry: Int
        var count: Int
        var lastKey: Int
        var fingerprints: (UInt64, UInt64)
        var isObject: Bool
        var mayRepeatKeys: Bool
    }

    let p: UnsafeMutablePointer<UInt8>
    let count: Int
    let maximumDepth: Int
    var tape: UnsafeMutablePointer<TapeEntry>
    var tapeCount = 0
    var tapeCapacity: Int
    var store: UnsafeMutablePointer<UInt8>?
    var storeCount = 0
    var storeCapacity = 0
    var frames: UnsafeMutablePointer<Frame>
    var frameCapacity: Int
    var depth = 0

    init(input: UnsafeMutablePointer<UInt8>, count: Int, maximumDepth: Int) {
        self.p = input
        self.count = count
        self.maximumDepth = maximumDepth
        tapeCapacity = min(count / 16 + 16, 1 << 16)
        tape = .allocate(capacity: tapeCapacity)
        frameCapacity = 32
        frames = .allocate(capacity: frameCapacity)
    }

    mutating func releaseFrames() {
        frames.deallocate()
    }

    mutating func release() {
        tape.deallocate()
        store?.deallocate()
        frames.deallocate()
    }

    // MARK: Errors

    private func fail(_ offset: Int, _ message: String) -> JSONSyntaxError {
        if offset >= count {
            return JSONSyntaxError(byteOffset: count, message: "unexpected end of input: \(message)")
        }
        return JSONSyntaxError(byteOffset: offset, message: message)
    }

    /// The coding path of the value being parsed when the parser failed.
    func failurePath() -> [any CodingKey] {
        var path: [any CodingKey] = []
        for level in 0..<depth {
            let frame = frames[level]
            if frame.isObject {
                guard frame.lastKey >= 0, frame.lastKey < tapeCount else { break }
                let entry = tape[frame.lastKey]
                let base = entry.tag & Flag.escaped != 0 ? UnsafePointer(store!) : UnsafePointer(p)
                let key = String(
                    decoding: UnsafeBufferPointer(start: base + Int(entry.a), count: Int(entry.b)), as: UTF8.self)
                path.append(JSONCodingKey(stringValue: key))
            } else {
                guard frame.count > 0 else { break }
                path.append(JSONCodingKey(intValue: frame.count - 1))
            }
        }
        return path
    }

    // MARK: Tape

    @inline(__always) private mutating func append(_ entry: TapeEntry) {
        if tapeCount == tapeCapacity { growTape() }
        tape[tapeCount] = entry
        tapeCount += 1
    }

    private mutating func growTape() {
        let capacity = tapeCapacity * 2
        let grown = UnsafeMutablePointer<TapeEntry>.allocate(capacity: capacity)
        grown.moveInitialize(from: tape, count: tapeCount)
        tape.deallocate()
        tape = grown
        tapeCapacity = capacity
    }

    mutating func appendSentinelNull() {
        append(TapeEntry(a: 0, b: 0, offset: UInt32(count), tag: Kind.null))
    }

    // MARK: The document

    mutating func parse() throws(JSONSyntaxError) {
        var i = 0
        if count >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 }
        i = skipWhitespace(i)
        value: while true {
            switch p[i] {
            case UInt8(ascii: "\""):
                i = try scanString(quote: i)
            case UInt8(ascii: "{"):
                try open(at: i, isObject: true)
                i = skipWhitespace(i + 1)
                if p[i] == UInt8(ascii: "}") {
                    close()
                    i += 1
                } else {
                    frames[depth - 1].count = 1
                    i = try scanKey(i, afterComma: false)
                    continue value
                }
            case UInt8(ascii: "["):
                try open(at: i, isObject: false)
                i = skipWhitespace(i + 1)
                if p[i] == UInt8(ascii: "]") {
                    close()
                    i += 1
                } else {
                    frames[depth - 1].count = 1
                    continue value
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try scanNumber(i)
            case UInt8(ascii: "t"):
                guard UInt32(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)) == 0x6575_7274 else {
                    throw fail(i, "expected a value (true?)")
                }
                append(TapeEntry(a: 0, b: 0, offset: UInt32(i), tag: Kind.true))
                i += 4
            case UInt8(ascii: "f"):
                guard UInt32(littleEndian: UnsafeRawPointer(p + i + 1).loadUnaligned(as: UInt32.self)) == 0x6573_6C61
                else {
                    throw fail(i, "expected a value (false?)")
                }
                append(TapeEntry(a: 0, b: 0, offset: UInt32(i), tag: Kind.false))
                i += 5
            case UInt8(ascii: "n"):
                guard UInt32(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)) == 0x6C6C_756E else {
                    throw fail(i, "expected a value (null?)")
                }
                append(TapeEntry(a: 0, b: 0, offset: UInt32(i), tag: Kind.null))
                i += 4
            default:
                throw fail(i, "expected a value")
            }
            // After a value: a separator, a closing bracket, or the end.
            while true {
                i = skipWhitespace(i)
                if depth == 0 {
                    guard i >= count else { throw fail(i, "unexpected data after the top-level value") }
                    return
                }
                let byte = p[i]
                if frames[depth - 1].isObject {
                    if byte == UInt8(ascii: ",") {
                        frames[depth - 1].count += 1
                        i = try scanKey(skipWhitespace(i + 1), afterComma: true)
                        continue value
                    }
                    guard byte == UInt8(ascii: "}") else {
                        throw fail(i, "expected ',' or '}' after an object member")
                    }
                } else {
                    if byte == UInt8(ascii: ",") {
                        frames[depth - 1].count += 1
                        i = skipWhitespace(i + 1)
                        continue value
                    }
                    guard byte == UInt8(ascii: "]") else {
                        throw fail(i, "expected ',' or ']' after an array element")
                    }
                }
                close()
                i += 1
            }
        }
    }

    @inline(__always) private func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while true {
            let byte = p[i]
            guard byte <= 0x20, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return i }
            i += 1
        }
    }

    private mutating func open(at i: Int, isObject: Bool) throws(JSONSyntaxError) {
        guard depth < maximumDepth else {
            throw JSONSyntaxError(
                byteOffset: i, message: "arrays and objects nest deeper than \(maximumDepth) levels")
        }
        if depth == frameCapacity {
            let capacity = frameCapacity * 2
            let grown = UnsafeMutablePointer<Frame>.allocate(capacity: capacity)
            grown.moveInitialize(from: frames, count: depth)
            frames.deallocate()
            frames = grown
            frameCapacity = capacity
        }
        frames[depth] = Frame(
            entry: tapeCount, count: 0, lastKey: -1, fingerprints: (0, 0), isObject: isObject, mayRepeatKeys: false)
        depth += 1
        append(TapeEntry(a: 0, b: 0, offset: UInt32(i), tag: isObject ? Kind.object : Kind.array))
    }

    @inline(__always) private mutating func close() {
        depth -= 1
        let frame = frames[depth]
        tape[frame.entry].a = UInt32(truncatingIfNeeded: frame.count)
        tape[frame.entry].b = UInt32(tapeCount)
        if frame.mayRepeatKeys { tape[frame.entry].tag |= Flag.mayRepeatKeys }
    }

    /// Scans `"key" :` and the whitespace after it; returns where the value starts.
    private mutating func scanKey(_ start: Int, afterComma: Bool) throws(JSONSyntaxError) -> Int {
        guard p[start] == UInt8(ascii: "\"") else {
            throw fail(start, afterComma ? "expected a string key after ','" : "expected a string key or '}'")
        }
        let level = depth - 1
        frames[level].lastKey = -1
        let keyIndex = tapeCount
        var i = try scanString(quote: start)
        frames[level].lastKey = keyIndex
        // A fingerprint of the key (its length, first and last byte) in a 128-bit set: a key
        // whose fingerprint is already there may repeat one, to be checked if it is ever read.
        let entry = tape[keyIndex]
        let length = Int(entry.b)
        var hash = UInt64(truncatingIfNeeded: length) &* 0x9E37
        if length > 0 {
            let base = entry.tag & Flag.escaped != 0 ? UnsafePointer(store!) : UnsafePointer(p)
            let bytes = base + Int(entry.a)
            hash = hash &+ UInt64(bytes[0]) &* 31 &+ UInt64(bytes[length - 1]) &* 131
        }
        let bit = UInt64(1) << (hash & 63)
        if hash & 64 == 0 {
            if frames[level].fingerprints.0 & bit != 0 { frames[level].mayRepeatKeys = true }
            frames[level].fingerprints.0 |= bit
        } else {
            if frames[level].fingerprints.1 & bit != 0 { frames[level].mayRepeatKeys = true }
            frames[level].fingerprints.1 |= bit
        }
        i = skipWhitespace(i)
        guard p[i] == UInt8(ascii: ":") else { throw fail(i, "expected ':' after an object key") }
        return skipWhitespace(i + 1)
    }

    // MARK: Numbers

    private mutating func scanNumber(_ start: Int) throws(JSONSyntaxError) -> Int {
        var i = start
        var isFloat = false
        if p[i] == UInt8(ascii: "-") { i += 1 }
        let first = p[i]
        if first == UInt8(ascii: "0") {
            i += 1
            if isDigit(p[i]) { throw fail(i, "a number may not have a leading zero") }
        } else if isDigit(first) {
            i += 1
            while isDigit(p[i]) { i += 1 }
        } else {
            throw fail(i, "expected a digit after '-'")
        }
        if p[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(p[i]) else { throw fail(i, "expected a digit after the decimal point") }
            while isDigit(p[i]) { i += 1 }
            isFloat = true
        }
        if p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(p[i]) else { throw fail(i, "expected a digit in the exponent") }
            while isDigit(p[i]) { i += 1 }
            isFloat = true
        }
        append(
            TapeEntry(
                a: UInt32(start), b: UInt32(i - start), offset: UInt32(start),
                tag: isFloat ? Kind.float : Kind.integer))
        return i
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // MARK: Strings

    /// Scans the string whose opening quote is at `quote`, appends its entry, and returns the
    /// index after its closing quote.
    private mutating func scanString(quote: Int) throws(JSONSyntaxError) -> Int {
        let start = quote + 1
        var i = start
        while true {
            let mask = SWAR.stringStops(UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)))
            if mask == 0 {
                i += 8
                continue
            }
            i += mask.trailingZeroBitCount >> 3
            let byte = p[i]
            if byte == UInt8(ascii: "\"") {
                append(TapeEntry(a: UInt32(start), b: UInt32(i - start), offset: UInt32(quote), tag: Kind.string))
                return i + 1
            }
            if byte == UInt8(ascii: "\\") {
                return try scanEscapedString(quote: quote, firstEscape: i)
            }
            if byte >= 0x80 {
                i += try utf8Sequence(at: i)
                continue
            }
            throw controlCharacter(at: i, quote: quote)
        }
    }

    private func controlCharacter(at i: Int, quote: Int) -> JSONSyntaxError {
        if i >= count {
            return JSONSyntaxError(
                byteOffset: count, message: "unexpected end of input: unterminated string that starts at byte \(quote)")
        }
        let hex = String(p[i], radix: 16, uppercase: true)
        return fail(i, "control character U+\(hex.count == 1 ? "000" : "00")\(hex) must be escaped in a string")
    }

    /// The length of the valid UTF-8 sequence that starts at `i` (a byte ≥ 0x80), or throws.
    @inline(__always) private func utf8Sequence(at i: Int) throws(JSONSyntaxError) -> Int {
        let length = UTF8Validation.sequenceLength(p + i)
        guard length > 0 else { throw fail(i, "invalid UTF-8 in a string") }
        return length
    }

    /// Continues a string from its first backslash, unescaping it into the store.
    private mutating func scanEscapedString(quote: Int, firstEscape: Int) throws(JSONSyntaxError) -> Int {
        let start = quote + 1
        // Unescaped, what remains of the input is never longer than it is; 16 bytes of slack
        // let the copying loop store whole words.
        let needed = storeCount + (count - start) + 16
        if needed > storeCapacity {
            let capacity = max(needed, storeCapacity * 2, count + 16)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            if let store {
                grown.moveInitialize(from: store, count: storeCount)
                store.deallocate()
            }
            store = grown
            storeCapacity = capacity
        }
        let outStart = storeCount
        var out = store! + storeCount
        memcpy(out, p + start, firstEscape - start)
        out += firstEscape - start
        var i = firstEscape
        while true {
            let byte = p[i]
            if byte == UInt8(ascii: "\\") {
                let escape = p[i + 1]
                if escape == UInt8(ascii: "u") {
                    let (scalar, length) = try unicodeEscape(at: i)
                    out += UTF8Validation.write(scalar, to: out)
                    i += length
                } else {
                    let unescaped: UInt8
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped = escape
                    case UInt8(ascii: "n"): unescaped = 0x0A
                    case UInt8(ascii: "t"): unescaped = 0x09
                    case UInt8(ascii: "r"): unescaped = 0x0D
                    case UInt8(ascii: "b"): unescaped = 0x08
                    case UInt8(ascii: "f"): unescaped = 0x0C
                    default:
                        if i + 1 >= count { throw controlCharacter(at: count, quote: quote) }
                        throw fail(i, "invalid escape sequence in a string")
                    }
                    out.pointee = unescaped
                    out += 1
                    i += 2
                }
            } else if byte == UInt8(ascii: "\"") {
                let length = out - (store! + outStart)
                storeCount = outStart + length
                append(
                    TapeEntry(
                        a: UInt32(outStart), b: UInt32(length), offset: UInt32(quote),
                        tag: Kind.string | Flag.escaped))
                return i + 1
            } else if byte >= 0x80 {
                let length = try utf8Sequence(at: i)
                UnsafeMutableRawPointer(out).storeBytes(
                    of: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self), as: UInt32.self)
                out += length
                i += length
            } else {
                throw controlCharacter(at: i, quote: quote)
            }
            // Copy a word at a time up to the next byte that needs attention.
            while true {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(out).storeBytes(of: word, as: UInt64.self)
                let mask = SWAR.stringStops(UInt64(littleEndian: word))
                if mask == 0 {
                    i += 8
                    out += 8
                    continue
                }
                let skip = mask.trailingZeroBitCount >> 3
                i += skip
                out += skip
                break
            }
        }
    }

    /// The scalar of the `\u` escape at `i` (a surrogate pair is two escapes), and how many
    /// input bytes it spans.
    private func unicodeEscape(at i: Int) throws(JSONSyntaxError) -> (UInt32, Int) {
        guard let high = hex4(at: i + 2) else { throw fail(i, "expected four hexadecimal digits after \\u") }
        switch high {
        case 0xD800...0xDBFF:
            guard p[i + 6] == UInt8(ascii: "\\"), p[i + 7] == UInt8(ascii: "u"), let low = hex4(at: i + 8),
                (0xDC00...0xDFFF).contains(low)
            else {
                throw fail(
                    i, "lone surrogate \\u\(String(high, radix: 16, uppercase: true)) (not followed by a low one)")
            }
            return (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), 12)
        case 0xDC00...0xDFFF:
            throw fail(i, "lone surrogate \\u\(String(high, radix: 16, uppercase: true)) (not preceded by a high one)")
        default:
            return (high, 6)
        }
    }

    @inline(__always) private func hex4(at i: Int) -> UInt32? {
        var value: UInt32 = 0
        for k in 0..<4 {
            let digit = HexDigits.value(p[i + k])
            if digit > 15 { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// Eight bytes at a time.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// A mask whose lowest set bit is the high bit of the first byte that is `"`, `\`, a
    /// control byte (below 0x20) or not ASCII. Bits above it may be spurious (borrows), the
    /// lowest one never is.
    @inline(__always) static func stringStops(_ word: UInt64) -> UInt64 {
        let quotes = word ^ 0x2222_2222_2222_2222
        let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let hasQuote = (quotes &- ones) & ~quotes
        let hasBackslash = (backslashes &- ones) & ~backslashes
        let hasControl = (word &- 0x2020_2020_2020_2020) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highs
    }

    /// The same, without non-ASCII bytes: what a string's encoding must escape.
    @inline(__always) static func escapeStops(_ word: UInt64) -> UInt64 {
        let quotes = word ^ 0x2222_2222_2222_2222
        let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let hasQuote = (quotes &- ones) & ~quotes
        let hasBackslash = (backslashes &- ones) & ~backslashes
        let hasControl = (word &- 0x2020_2020_2020_2020) & ~word
        return (hasQuote | hasBackslash | hasControl) & highs
    }
}

enum HexDigits {
    /// 0–15, or 255 for a byte that is not a hexadecimal digit.
    @inline(__always) static func value(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: 255
        }
    }
}

enum UTF8Validation {
    /// The length of the valid UTF-8 sequence at `p` (whose first byte is ≥ 0x80), or 0.
    /// Reads up to four bytes: the caller guarantees they are readable (the input's padding
    /// is zeros, which are never continuation bytes).
    @inline(__always) static func sequenceLength(_ p: UnsafePointer<UInt8>) -> Int {
        let b0 = p[0]
        if b0 < 0xC2 { return 0 }
        let b1 = p[1]
        if b0 < 0xE0 { return b1 & 0xC0 == 0x80 ? 2 : 0 }
        let b2 = p[2]
        if b0 < 0xF0 {
            let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            return b1 >= low && b1 <= high && b2 & 0xC0 == 0x80 ? 3 : 0
        }
        if b0 < 0xF5 {
            let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            return b1 >= low && b1 <= high && b2 & 0xC0 == 0x80 && p[3] & 0xC0 == 0x80 ? 4 : 0
        }
        return 0
    }

    /// Writes `scalar` (not a surrogate) as UTF-8; returns how many bytes.
    @inline(__always) static func write(_ scalar: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
