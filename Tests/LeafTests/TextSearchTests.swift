import Testing
import TextEncodings

@Suite struct TextSearchTests {
    @Test func containsTextFindsByteSequences() {
        #expect("application/vnd.api+json; charset=utf-8".containsText("json"))
        #expect(!"image/png".containsText("json"))
        #expect("abc".containsText(""))
        #expect(!"ab".containsText("abc"))
        #expect("ééx".containsText("éx"))
        #expect("x"[...].containsText("x"))
    }

    @Test func replacingTextReplacesEveryOccurrenceLeftToRight() {
        #expect("a b c".replacingText(" ", with: "%20") == "a%20b%20c")
        #expect("a%20b%20".replacingText("%20", with: "+") == "a+b+")
        #expect("aaa".replacingText("aa", with: "b") == "ba")
        #expect("~/x".replacingText("~", with: "~0").replacingText("/", with: "~1") == "~0~1x")
        #expect("secret=KEY;KEY".replacingText("KEY", with: "<redacted>") == "secret=<redacted>;<redacted>")
        #expect("unchanged".replacingText("", with: "x") == "unchanged")
        #expect("😀a😀".replacingText("a", with: "é") == "😀é😀")
    }

    @Test func firstOffsetSearchesFromAnOffset() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(bytes.firstOffset(of: Array("\r\n".utf8)) == 14)
        #expect(bytes.firstOffset(of: Array("\r\n".utf8), from: 15) == 23)
        #expect(bytes.firstOffset(of: Array("\r\n\r\n".utf8)) == 23)
        #expect(bytes.firstOffset(of: Array("\r\n".utf8), from: 26) == nil)
        #expect(bytes.firstOffset(of: Array("absent".utf8)) == nil)
        #expect([UInt8]().firstOffset(of: [1]) == nil)
        #expect(bytes.firstOffset(of: [], from: 3) == 3)
    }
}
