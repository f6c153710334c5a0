/// How deeply arrays and objects may nest in a document the kit decodes.
///
/// Foundation's `JSONDecoder` refuses documents nested deeper than 512 levels, but at exactly
/// its limit it traps while describing the error (FoundationEssentials'
/// `JSONError.SourceLocation`), killing the process instead of throwing. Checking the depth
/// first, on the raw bytes, turns such an event into an ordinary decoding error.
public enum JSONNesting {
    /// Foundation's own limit, minus one so its trapping path is never reached.
    public static let maximumDepth = 500

    /// A document nested deeper than ``maximumDepth``.
    public struct TooDeep: Error, Sendable, Equatable, CustomStringConvertible {
        /// Where the container that went past the limit opens.
        public var byteOffset: Int
        public var limit: Int

        public init(byteOffset: Int, limit: Int) {
            self.byteOffset = byteOffset
            self.limit = limit
        }

        public var description: String {
            "arrays and objects nest deeper than \(limit) levels at byte offset \(byteOffset)"
        }
    }

    /// Throws when `bytes` opens a container deeper than `limit`; strings are skipped, so
    /// brackets inside them do not count. Malformed documents are left to the decoder.
    public static func check(_ bytes: some Collection<UInt8>, limit: Int = maximumDepth) throws(TooDeep) {
        var depth = 0
        var inString = false
        var escaped = false
        var offset = 0
        for byte in bytes {
            defer { offset += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { throw TooDeep(byteOffset: offset, limit: limit) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
    }
}
