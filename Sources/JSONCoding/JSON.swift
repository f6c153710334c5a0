/// JSON for `Codable` types, straight from and to bytes, without Foundation.
///
/// Decoding indexes the document once (a flat "tape" of values; see `Document.swift`) and
/// decodes from that index; encoding streams into one growing byte buffer. Both special-case
/// ``JSONValue`` so open-ended documents are parsed and written without `Codable`'s probing.
///
/// The names `JSONDecoder` and `JSONEncoder` are Foundation's; a file that imports both
/// modules calls this one `JSON.decode` / `JSON.encode`.
public enum JSON {
    /// How ``JSON/decode(_:from:options:)`` reads a document.
    public struct DecodingOptions: Sendable {
        /// How deeply arrays and objects may nest; a deeper document is refused with a syntax
        /// error at the bracket that goes past the limit (never a stack overflow).
        public var maximumDepth: Int
        /// Given to the types being decoded as `Decoder.userInfo`.
        public var userInfo: [CodingUserInfoKey: any Sendable]

        public init(maximumDepth: Int = JSONNesting.maximumDepth, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
            self.maximumDepth = maximumDepth
            self.userInfo = userInfo
        }
    }

    /// How ``JSON/encode(_:options:)`` writes a document.
    public struct EncodingOptions: Sendable {
        /// Object members in the byte order of their keys' UTF-8 (which is Unicode scalar
        /// order), at every level: one spelling per value, for hashes of canonical JSON.
        public var sortedKeys: Bool
        /// Two-space indentation, one member or element a line, `"key": value`.
        public var prettyPrinted: Bool
        /// Given to the values being encoded as `Encoder.userInfo`.
        public var userInfo: [CodingUserInfoKey: any Sendable]

        public init(
            sortedKeys: Bool = false, prettyPrinted: Bool = false, userInfo: [CodingUserInfoKey: any Sendable] = [:]
        ) {
            self.sortedKeys = sortedKeys
            self.prettyPrinted = prettyPrinted
            self.userInfo = userInfo
        }
    }

    /// Decodes a `T` from JSON text in UTF-8.
    ///
    /// A document that is not JSON (RFC 8259, strictly) throws `DecodingError.dataCorrupted`
    /// whose context names the path of the value being read, whose `debugDescription` is
    /// the ``JSONSyntaxError``'s description ("at byte 17: expected ',' or '}' after an object
    /// member") and whose `underlyingError` is that ``JSONSyntaxError``.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, options: DecodingOptions = .init()
    ) throws -> T {
        let document = try parse(bytes, maximumDepth: options.maximumDepth)
        return try decode(type, from: document, options: options)
    }

    /// Decodes a `T` from JSON text in UTF-8.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: [UInt8], options: DecodingOptions = .init()
    ) throws -> T {
        let document = try bytes.withUnsafeBytes { try parse(raw: $0, maximumDepth: options.maximumDepth) }
        return try decode(type, from: document, options: options)
    }

    /// Decodes a `T` from JSON text in UTF-8.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeRawBufferPointer, options: DecodingOptions = .init()
    ) throws -> T {
        let document = try parse(raw: bytes, maximumDepth: options.maximumDepth)
        return try decode(type, from: document, options: options)
    }

    /// Encodes `value` as JSON text in UTF-8.
    ///
    /// Non-finite floating-point numbers throw `EncodingError.invalidValue`, as does a
    /// container used after its parent container wrote again (this encoder streams, so a
    /// nested container is closed as soon as its parent moves on).
    public static func encode<T: Encodable>(_ value: T, options: EncodingOptions = .init()) throws -> [UInt8] {
        let encoder = StreamingEncoder(userInfo: options.userInfo)
        try encoder.encodeTopLevel(value)
        let bytes = encoder.takeBytes()
        guard options.sortedKeys || options.prettyPrinted else { return bytes }
        return Reformatter.reformat(bytes, sortedKeys: options.sortedKeys, prettyPrinted: options.prettyPrinted)
    }

    // MARK: - Internals

    static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int) throws -> Document {
        if let raw = bytes as? UnsafeRawBufferPointer {
            return try parse(raw: raw, maximumDepth: maximumDepth)
        }
        if let document = try bytes.withContiguousStorageIfAvailable({ buffer in
            try parse(raw: UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth)
        }) {
            return document
        }
        return try Array(bytes).withUnsafeBytes { try parse(raw: $0, maximumDepth: maximumDepth) }
    }

    static func parse(raw: UnsafeRawBufferPointer, maximumDepth: Int) throws -> Document {
        do {
            return try Document.parse(copying: raw, maximumDepth: maximumDepth)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: error.path, debugDescription: error.error.description, underlyingError: error.error))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from document: Document, options: DecodingOptions) throws -> T {
        let decoder = TapeDecoder(document: document, userInfo: options.userInfo)
        return try decoder.decodeValue(type, at: 0, in: ContainerPath(base: 0, suffix: []), entry: nil)
    }
}

/// Where a document stops being JSON the decoder accepts, and what it expected there.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// From the start of the input, the UTF-8 byte order mark included.
    public var byteOffset: Int
    /// What was wrong, e.g. "expected ',' or '}' after an object member".
    public var message: String

    public init(byteOffset: Int, message: String) {
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String { "at byte \(byteOffset): \(message)" }
}

/// A coding key for a member or an element of a document: what decoding and encoding errors'
/// coding paths are made of when the path comes from the document rather than a model.
struct JSONCodingKey: CodingKey, Sendable {
    /// One word and a half: small enough for an existential's inline buffer, so a path of
    /// these allocates nothing per step.
    private enum Storage: Sendable {
        case string(String)
        case index(Int)
    }

    private let storage: Storage

    init(stringValue: String) {
        storage = .string(stringValue)
    }

    init(intValue: Int) {
        storage = .index(intValue)
    }

    var stringValue: String {
        switch storage {
        case .string(let string): string
        case .index(let index): "Index \(index)"
        }
    }

    var intValue: Int? {
        if case .index(let index) = storage { index } else { nil }
    }
}

/// Reinterprets a value whose static type is generic as the concrete type it is known to be
/// (after a `T.self == U.self` check); unlike `as!`, no dynamic cast.
@inline(__always)
func knownCast<T, U>(_ value: T, to _: U.Type) -> U {
    withUnsafePointer(to: value) { $0.withMemoryRebound(to: U.self, capacity: 1) { $0.pointee } }
}
