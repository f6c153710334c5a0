import JSONCoding
import Testing

struct Inner: Decodable {
    var b: [Int]
}

struct Outer: Decodable {
    var a: Inner
    var name: String
}

@Suite struct ErrorTests {
    @Test func aTypeMismatchNamesItsPath() {
        do {
            _ = try JSON.decode(Outer.self, from: bytes(#"{"a": {"b": [1, 2, "x"]}, "name": "n"}"#))
            Issue.record("decoded")
        } catch let DecodingError.typeMismatch(type, context) {
            #expect(type is Int.Type)
            #expect(pathString(context.codingPath) == "$.a.b[2]")
            #expect(context.debugDescription.contains("found a string"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aMissingKeyNamesItsContainer() {
        do {
            _ = try JSON.decode(Outer.self, from: bytes(#"{"a": {}, "name": "n"}"#))
            Issue.record("decoded")
        } catch let DecodingError.keyNotFound(key, context) {
            #expect(key.stringValue == "b")
            #expect(pathString(context.codingPath) == "$.a")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func nullWhereAValueIsRequired() {
        do {
            _ = try JSON.decode(Outer.self, from: bytes(#"{"a": {"b": []}, "name": null}"#))
            Issue.record("decoded")
        } catch let DecodingError.valueNotFound(type, context) {
            #expect(type is String.Type)
            #expect(pathString(context.codingPath) == "$.name")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aSyntaxErrorNamesTheByteAndWhatWasExpected() {
        let failure = syntaxError { _ = try JSON.decode(JSONValue.self, from: bytes(#"{"a": 1 "b": 2}"#)) }
        #expect(failure?.0 == JSONSyntaxError(byteOffset: 8, message: "expected ',' or '}' after an object member"))
        #expect(failure?.0.description == "at byte 8: expected ',' or '}' after an object member")
        #expect(failure.map { pathString($0.1) } == "$.a")
        do {
            _ = try JSON.decode(Outer.self, from: bytes(#"{"a": {"b": [1, 2,]}}"#))
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == "at byte 18: expected a value")
            #expect(pathString(context.codingPath) == "$.a.b[2]")
            #expect(
                context.underlyingError as? JSONSyntaxError
                    == JSONSyntaxError(byteOffset: 18, message: "expected a value"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test(arguments: [
        (#"[1, 2"#, 5, "unexpected end of input: expected ',' or ']' after an array element"),
        (#"{"a" 1}"#, 5, "expected ':' after an object key"),
        (#"{"a":1,}"#, 7, "expected a string key after ','"),
        (#"[01]"#, 2, "a number may not have a leading zero"),
        (#"[1.]"#, 3, "expected a digit after the decimal point"),
        (#"["a\qb"]"#, 3, "invalid escape sequence in a string"),
        ("[\"a\u{1}\"]", 3, "control character U+0001 must be escaped in a string"),
        (#"["\uD800"]"#, 2, #"lone surrogate \uD800 (not followed by a low one)"#),
        (#"[tru]"#, 1, "expected a value (true?)"),
        (#"1 2"#, 2, "unexpected data after the top-level value"),
        (#""abc"#, 4, "unexpected end of input: unterminated string that starts at byte 0"),
        ("", 0, "unexpected end of input: expected a value"),
    ])
    func syntaxErrors(input: String, offset: Int, message: String) {
        let failure = syntaxError { _ = try JSON.decode(JSONValue.self, from: bytes(input)) }
        #expect(failure?.0 == JSONSyntaxError(byteOffset: offset, message: message), "\(input)")
    }

    @Test func invalidUTF8IsRefusedEvenWhereTheModelDoesNotLook() {
        let input: [UInt8] = Array(#"{"name":"n","b":[],"skipped":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(syntaxError { _ = try JSON.decode(Inner.self, from: input) }?.0.message == "invalid UTF-8 in a string")
    }

    @Test func aNumberBeyondDoubleInAJSONValueNamesItsPath() {
        let failure = syntaxError { _ = try JSON.decode([String: JSONValue].self, from: bytes(#"{"x": [1, 1e999]}"#)) }
        #expect(failure?.0.byteOffset == 10)
        #expect(failure.map { pathString($0.1) } == "$.x[1]")
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: bytes("[1e999]")) }
    }
}

@Suite struct DepthTests {
    static func nested(_ depth: Int, open: String = "[", close: String = "]") -> [UInt8] {
        bytes(String(repeating: open, count: depth) + String(repeating: close, count: depth))
    }

    @Test func fiveHundredLevelsAreAccepted() throws {
        #expect(throws: Never.self) { try JSON.decode(JSONValue.self, from: Self.nested(500)) }
        #expect(throws: Never.self) { try JSONValue(parsing: Self.nested(500)) }
        let objects = bytes(String(repeating: #"{"a":"#, count: 499) + "{}" + String(repeating: "}", count: 499))
        #expect(throws: Never.self) { try JSON.decode(JSONValue.self, from: objects) }
    }

    @Test func fiveHundredAndOneAreRefusedWhereTheyGoPastTheLimit() {
        let failure = syntaxError { _ = try JSON.decode(JSONValue.self, from: Self.nested(501)) }
        #expect(
            failure?.0 == JSONSyntaxError(byteOffset: 500, message: "arrays and objects nest deeper than 500 levels"))
        #expect(failure?.1.count == 500)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Self.nested(501)) }
    }

    @Test func twoHundredThousandUnclosedBracketsAreAnErrorNotACrash() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        #expect(syntaxError { _ = try JSON.decode(JSONValue.self, from: input) }?.0.byteOffset == 500)
        let objects = bytes(String(repeating: #"{"a":"#, count: 200_000))
        #expect(syntaxError { _ = try JSON.decode([String: JSONValue].self, from: objects) }?.0.byteOffset == 2500)
    }

    @Test func theLimitIsAnOption() {
        #expect(throws: Never.self) {
            try JSON.decode(JSONValue.self, from: Self.nested(1000), options: .init(maximumDepth: 1000))
        }
        let failure = syntaxError {
            _ = try JSON.decode([[Int]].self, from: Self.nested(2), options: .init(maximumDepth: 1))
        }
        #expect(failure?.0.byteOffset == 1)
    }

    /// A recursive model at the limit decodes through `init(from:)` without exhausting the stack.
    @Test func aRecursiveModelAtTheLimit() throws {
        struct Node: Codable {
            var children: [Node]
        }
        let input = bytes(
            String(repeating: #"{"children":["#, count: 249) + #"{"children":[]}"# + String(repeating: "]}", count: 249)
        )
        var node = try JSON.decode(Node.self, from: input)
        var depth = 1
        while let child = node.children.first {
            node = child
            depth += 1
        }
        #expect(depth == 250)
        #expect(
            try JSON.decode(Node.self, from: try JSON.encode(try JSON.decode(Node.self, from: input))).children.count
                == 1)
    }
}
