import Hashing
import JSONCoding
import Testing
import TextEncodings

@Suite struct HashingTests {
    @Test func knownDigests() {
        #expect(
            Digest.sha256(Array("abc".utf8)).hexEncoded
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.md5(Array("".utf8)).hexEncoded == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(
            Digest.md5(Array("The quick brown fox jumps over the lazy dog".utf8)).hexEncoded
                == "9e107d9d372bb6826bd81d3542a419d6")
        // RFC 4231, test case 2.
        #expect(
            Digest.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)).hexEncoded
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

@Suite struct CRC32Tests {
    // zlib's crc32 of the same inputs: python3 -c 'import zlib; print(hex(zlib.crc32(b"123456789")))'
    @Test func matchesZlib() {
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func continuesAcrossPieces() {
        let whole = Array("The quick brown fox jumps over the lazy dog".utf8)
        let first = CRC32.checksum(whole[..<10])
        #expect(CRC32.checksum(whole[10...], continuing: first) == CRC32.checksum(whole))
    }
}

@Suite struct Base64Tests {
    @Test func rfc4648Vectors() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
    }

    @Test func refusesWhatIsNotPaddedBase64() {
        for bad in ["Zg", "Zg=", "Z===", "Zm9v\n", "Zg==Zg==", "Zm9v!A==", "====", "Zm=v"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct PercentEncodingTests {
    @Test func strictEncodingAndForgivingDecoding() {
        #expect(PercentEncoding.encode("a b/c~d_e.f-g✓") == "a%20b%2Fc~d_e.f-g%E2%9C%93")
        #expect(PercentEncoding.decode("a%20b%2Fc%E2%9C%93") == "a b/c✓")
        #expect(PercentEncoding.decode("100%") == "100%")
        #expect(PercentEncoding.decode("%zz%4") == "%zz%4")
        #expect(PercentEncoding.decode("a+b") == "a+b")
    }
}
