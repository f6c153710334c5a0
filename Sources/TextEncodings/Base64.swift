/// Base64 (RFC 4648, standard alphabet, padded), as AWS writes blobs, binary bodies and
/// message attributes.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 255 where a byte is not in the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 63)])
            out.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes, or `nil` when `text` is not padded base64 (length a multiple of 4, `=` only at
    /// the end). Line breaks and other white space are refused, as AWS refuses them.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = text.utf8
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var group: UInt32 = 0
        var count = 0
        var padding = 0
        for byte in input {
            if byte == UInt8(ascii: "=") {
                padding += 1
                guard padding <= 2 else { return nil }
                group <<= 6
            } else {
                let value = values[Int(byte)]
                guard value != 255, padding == 0 else { return nil }
                group = group << 6 | UInt32(value)
            }
            count += 1
            if count == 4 {
                out.append(UInt8(group >> 16 & 0xFF))
                if padding < 2 { out.append(UInt8(group >> 8 & 0xFF)) }
                if padding < 1 { out.append(UInt8(group & 0xFF)) }
                group = 0
                count = 0
            }
        }
        // Padding may only end the text: "ab==cdef" decoded a group and then went on.
        if padding > 0, out.count != input.count / 4 * 3 - padding { return nil }
        return out
    }

    /// The bytes of base64url text (RFC 4648 section 5) with or without its padding, as JSON Web
    /// Tokens and keys carry them; `nil` when it is not base64url.
    public static func decode(url text: some StringProtocol) -> [UInt8]? {
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        for character in text.unicodeScalars {
            switch character {
            case "-": standard.append("+")
            case "_": standard.append("/")
            case "+", "/", "=": return nil
            default: standard.unicodeScalars.append(character)
            }
        }
        guard standard.utf8.count % 4 != 1 else { return nil }
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return decode(standard)
    }
}
