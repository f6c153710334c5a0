import CLibcrypto

/// SHA-256, HMAC-SHA-256 and MD5 through libcrypto (CommonCrypto on Apple platforms).
///
/// Not swift-crypto: the kit already links libcrypto for libcurl's TLS, so these cost nothing in
/// size or build time, where swift-crypto would add its own copy of BoringSSL to each binary.
public enum Digest {
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(CLIBCRYPTO_SHA256_LENGTH))
        let ok = withContiguous(bytes) { data in
            digest.withUnsafeMutableBufferPointer { clibcrypto_sha256(data.baseAddress, data.count, $0.baseAddress) }
        }
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return digest
    }

    public static func hmacSHA256(key: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(CLIBCRYPTO_SHA256_LENGTH))
        let ok = withContiguous(key) { key in
            withContiguous(data) { data in
                mac.withUnsafeMutableBufferPointer {
                    clibcrypto_hmac_sha256(key.baseAddress, key.count, data.baseAddress, data.count, $0.baseAddress)
                }
            }
        }
        precondition(ok == 1, "libcrypto HMAC-SHA-256 failed")
        return mac
    }

    /// MD5, for the checksums SQS writes (`md5OfBody`); never for security.
    public static func md5(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(CLIBCRYPTO_MD5_LENGTH))
        let ok = withContiguous(bytes) { data in
            digest.withUnsafeMutableBufferPointer { clibcrypto_md5(data.baseAddress, data.count, $0.baseAddress) }
        }
        precondition(ok == 1, "libcrypto MD5 failed")
        return digest
    }

    private static func withContiguous<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(bytes).withUnsafeBytes(body)
    }
}

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, as SigV4 writes hashes and signatures and SQS its MD5 sums.
    public var hexEncoded: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
