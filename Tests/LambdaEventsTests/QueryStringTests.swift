import LambdaEvents
import Testing

@Suite struct QueryStringTests {
    @Test func pairsArePercentDecodedInOrder() {
        let pairs = QueryString.pairs("a=1&b=x%20y&a=2&flag&c=%E2%9C%93&plus=a+b")
        #expect(pairs.map(\.name) == ["a", "b", "a", "flag", "c", "plus"])
        #expect(pairs.map(\.value) == ["1", "x y", "2", "", "✓", "a+b"])
        #expect(QueryString.joined("a=1&a=2&b=3") == ["a": "1,2", "b": "3"])
        #expect(QueryString.multiValue("a=1&a=2&b=3") == ["a": ["1", "2"], "b": ["3"]])
    }

    /// Regression: `?=` and `?&=&==&%` crashed the parser both builders and the local API used.
    @Test func emptyNamesAndBrokenEscapesNeverCrash() {
        #expect(QueryString.pairs("=").isEmpty)
        #expect(QueryString.pairs("&=&==&%").map(\.name) == ["%"])
        #expect(QueryString.pairs("==x").isEmpty)
        #expect(QueryString.pairs("a==b").map(\.value) == ["=b"])
        #expect(QueryString.pairs("%zz=%4").map(\.name) == ["%zz"])
        #expect(QueryString.pairs("%zz=%4").map(\.value) == ["%4"])
        #expect(QueryString.pairs("x=%FF").map(\.value) == ["\u{FFFD}"])
        #expect(QueryString.pairs("").isEmpty)
        #expect(QueryString.pairs("&&&").isEmpty)
    }

    @Test func everyShortByteStringParses() {
        // Exhaustive over a small alphabet of the characters that matter: no crash, no empty name.
        let alphabet: [UInt8] = Array("=&%a1F".utf8)
        func strings(_ length: Int) -> [[UInt8]] {
            length == 0 ? [[]] : strings(length - 1).flatMap { prefix in alphabet.map { prefix + [$0] } }
        }
        let all = (0...5).flatMap(strings)
        let withEmptyNames = all.filter {
            QueryString.pairs(String(decoding: $0, as: UTF8.self)).contains { $0.name.isEmpty }
        }
        #expect(all.count == 9331)
        #expect(withEmptyNames.isEmpty)
    }
}
