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
}
