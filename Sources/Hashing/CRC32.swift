/// CRC-32 (IEEE 802.3, the polynomial zlib and AWS's event-stream framing use).
///
/// Table-driven in Swift rather than zlib's `crc32`: the kit links no zlib, and the framing it
/// checks (Lambda's response streams) is small enough that a byte-at-a-time table is not the
/// bottleneck.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    /// The checksum of `bytes`; pass a previous result as `continuing` to checksum data that
    /// arrives in pieces.
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }
}
