/// Percent-encoding (RFC 3986) of bytes in text: URL paths and query strings.
public enum PercentEncoding {
    /// Every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex): the strict form AWS
    /// signs with and compares against.
    public static func encode(_ text: some StringProtocol) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// `%XX` escapes decoded. A `%` not followed by two hex digits is kept as it is, and a
    /// decoded sequence that is not UTF-8 is repaired with U+FFFD: any input gives a string.
    /// `+` stays `+`; form decoding, which reads it as a space, is the caller's choice.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex, let high = hexValue(bytes[first]) {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let low = hexValue(bytes[second]) {
                        decoded.append(high << 4 | low)
                        index = bytes.index(after: second)
                        continue
                    }
                }
            }
            decoded.append(byte)
            index = bytes.index(after: index)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    public static func decode(_ text: some StringProtocol) -> String { decode(text.utf8) }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
