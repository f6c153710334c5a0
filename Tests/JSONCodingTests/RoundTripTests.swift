import Foundation
import JSONCoding
import Testing

enum Color: String, Codable, Equatable {
    case red, green
}

struct Child: Codable, Equatable {
    var name: String
    var scores: [Double]
}

/// A field of every kind the synthesized conformances use.
struct Everything: Codable, Equatable {
    var string: String
    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint16: UInt16
    var uint32: UInt32
    var uint64: UInt64
    var double: Double
    var float: Float
    var bool: Bool
    var present: String?
    var absent: String?
    var array: [Int]
    var nestedArrays: [[String]]
    var dictionary: [String: Int]
    var intKeyed: [Int: String]
    var json: JSONValue
    var child: Child?
    var children: [Child]
    var bytes: [UInt8]
    var color: Color
    var optionals: [Int?]

    static let sample = Everything(
        string: "quote \" backslash \\ slash / newline \n tab \t nul \u{0} é 日本 😀", int: -42, int8: .min,
        int16: .max, int32: -2_000_000_000, int64: .min, uint: 7, uint8: .max, uint16: 65535,
        uint32: .max, uint64: .max, double: 0.1, float: 1.5, bool: true, present: "here", absent: nil,
        array: [1, 2, 3], nestedArrays: [[], ["a"], ["b", "c"]], dictionary: ["one": 1, "two": 2],
        intKeyed: [1: "one", -2: "minus two"],
        json: .object([
            "n": .null, "b": .bool(false), "i": .integer(.max), "d": .number(2.5), "s": .string("x"),
            "a": .array([.integer(1), .object([:])]),
        ]),
        child: Child(name: "kid", scores: [1, 2.25, -1e-10]), children: [Child(name: "a", scores: [])],
        bytes: [0, 1, 255], color: .green, optionals: [1, nil, 3])
}

/// Written by hand: nested containers, super coders, a second keyed container for the same
/// value, `allKeys`, `contains` and `decodeNil`.
class Base: Codable, Equatable {
    var id: Int

    init(id: Int) { self.id = id }

    static func == (lhs: Base, rhs: Base) -> Bool { lhs.isEqual(to: rhs) }
    func isEqual(to other: Base) -> Bool { id == other.id }
}

final class Derived: Base {
    var name: String
    var point: (x: Int, y: Int)
    var list: [String]
    var extras: [String: String]
    var nothing: Bool

    init(id: Int, name: String, point: (x: Int, y: Int), list: [String], extras: [String: String]) {
        self.name = name
        self.point = point
        self.list = list
        self.extras = extras
        self.nothing = true
        super.init(id: id)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, point, list, nothing
    }

    enum PointKeys: String, CodingKey {
        case x, y
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        let point = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        self.point = (try point.decode(Int.self, forKey: .x), try point.decode(Int.self, forKey: .y))
        var list = try container.nestedUnkeyedContainer(forKey: .list)
        var elements: [String] = []
        while !list.isAtEnd { elements.append(try list.decode(String.self)) }
        self.list = elements
        nothing = try container.decodeNil(forKey: .nothing)
        let all = try decoder.container(keyedBy: AnyKey.self)
        var extras: [String: String] = [:]
        for key in all.allKeys where CodingKeys(rawValue: key.stringValue) == nil && key.stringValue != "super" {
            extras[key.stringValue] = try all.decode(String.self, forKey: key)
        }
        self.extras = extras
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        try point.encode(self.point.x, forKey: .x)
        try point.encode(self.point.y, forKey: .y)
        var list = container.nestedUnkeyedContainer(forKey: .list)
        for element in self.list { try list.encode(element) }
        try container.encodeNil(forKey: .nothing)
        try super.encode(to: container.superEncoder())
        // A second keyed container for the same value continues the same object.
        var more = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in extras.sorted(by: { $0.key < $1.key }) {
            try more.encode(value, forKey: AnyKey(stringValue: key))
        }
    }

    override func isEqual(to other: Base) -> Bool {
        guard let other = other as? Derived else { return false }
        return id == other.id && name == other.name && point == other.point && list == other.list
            && extras == other.extras && nothing == other.nothing
    }
}

@Suite struct RoundTripTests {
    /// Found by JSONFuzz: `-0` read into a JSONValue became the integer 0, so -0.0 written as
    /// `-0` came back without its sign and encoded differently the second time.
    @Test func negativeZeroKeepsItsSign() throws {
        let value = try JSON.decode(JSONValue.self, from: bytes("[-0, -0.0, 0, -0e3]"))
        guard case .array(let numbers) = value, case .number(let zero) = numbers[0] else {
            Issue.record("-0 read as \(value)")
            return
        }
        #expect(zero == 0 && zero.sign == .minus)
        #expect(numbers[2] == .integer(0))
        let encoded = try JSON.encode(value)
        #expect(text(encoded) == "[-0,-0,0,-0]")
        #expect(try JSON.encode(try JSON.decode(JSONValue.self, from: encoded)) == encoded)
        #expect(try JSON.decode(Double.self, from: bytes("-0")).sign == .minus)
    }

    @Test func everyFieldKindRoundTrips() throws {
        let encoded = try JSON.encode(Everything.sample)
        #expect(try JSON.decode(Everything.self, from: encoded) == Everything.sample)
        // Foundation reads what this writes, and this reads what Foundation writes.
        #expect(try JSONDecoder().decode(Everything.self, from: Data(encoded)) == Everything.sample)
        let foundation = try JSONEncoder().encode(Everything.sample)
        #expect(try JSON.decode(Everything.self, from: foundation) == Everything.sample)
        #expect(!text(encoded).contains("absent"), "a nil optional is left out")
        #expect(text(encoded).contains(#""bytes":[0,1,255]"#), "[UInt8] is an array of numbers")
    }

    @Test func handWrittenContainersRoundTrip() throws {
        let value = Derived(id: 7, name: "n", point: (3, -4), list: ["a", "b"], extras: ["x-1": "one", "x-2": "two"])
        let encoded = try JSON.encode(value)
        #expect(
            text(encoded)
                == #"{"name":"n","point":{"x":3,"y":-4},"list":["a","b"],"nothing":null,"super":{"id":7},"x-1":"one","x-2":"two"}"#
        )
        #expect(try JSON.decode(Derived.self, from: encoded) == value)
        #expect(try JSONDecoder().decode(Derived.self, from: Data(encoded)) == value)
    }

    @Test func collectionsAtTheTop() throws {
        #expect(text(try JSON.encode([1, 2, 3])) == "[1,2,3]")
        #expect(text(try JSON.encode(["k": [true, false]])) == #"{"k":[true,false]}"#)
        #expect(text(try JSON.encode("s")) == #""s""#)
        #expect(text(try JSON.encode(Int?.none)) == "null")
        #expect(try JSON.decode([String: [Int]].self, from: bytes(#"{"a":[1],"b":[]}"#)) == ["a": [1], "b": []])
        #expect(try JSON.decode([Int: Bool].self, from: bytes(#"{"1":true,"-5":false}"#)) == [1: true, -5: false])
        #expect(try JSON.decode(Int?.self, from: bytes("null")) == nil)
        #expect(try JSON.decode([Int?].self, from: bytes("[1,null]")) == [1, nil])
    }

    @Test func optionalsAndNulls() throws {
        struct Model: Codable, Equatable {
            var a: String?
            var b: Int?
        }
        #expect(try JSON.decode(Model.self, from: bytes(#"{"a":null}"#)) == Model(a: nil, b: nil))
        #expect(try JSON.decode(Model.self, from: bytes(#"{}"#)) == Model(a: nil, b: nil))
        #expect(try JSON.decode(Model.self, from: bytes(#"{"b":3,"a":"x"}"#)) == Model(a: "x", b: 3))
        #expect(text(try JSON.encode(Model(a: nil, b: 1))) == #"{"b":1}"#)
    }

    @Test func inputKinds() throws {
        let json = #"{"name":"kid","scores":[1]}"#
        let expected = Child(name: "kid", scores: [1])
        #expect(try JSON.decode(Child.self, from: Array(json.utf8)) == expected)
        #expect(try JSON.decode(Child.self, from: Array(json.utf8)[...]) == expected)
        #expect(try JSON.decode(Child.self, from: Data(json.utf8)) == expected)
        #expect(try JSON.decode(Child.self, from: json.utf8) == expected)
        let fromRaw = try Array(json.utf8).withUnsafeBytes { raw in try JSON.decode(Child.self, from: raw) }
        #expect(fromRaw == expected)
        #expect(try JSONValue(parsing: Data(json.utf8)) == JSONValue(parsing: Array(json.utf8)))
    }

    @Test func keysAreComparedUnescaped() throws {
        #expect(try JSON.decode(Child.self, from: bytes(#"{"n\u0061me":"a","\u0073cores":[]}"#)).name == "a")
    }

    @Test func theLastOfRepeatedKeysWins() throws {
        let input = bytes(#"{"name":"first","scores":[],"name":"last"}"#)
        #expect(try JSON.decode(Child.self, from: input).name == "last")
        #expect(try JSON.decode([String: JSONValue].self, from: input)["name"] == .string("last"))
        #expect(try JSON.decode(JSONValue.self, from: input)["name"] == .string("last"))
        // Enough keys that the fingerprints of the first pass collide, and an exact check decides.
        let many = (0..<100).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let repeated = try JSON.decode([String: Int].self, from: bytes("{\(many),\"k5\":-5}"))
        #expect(repeated.count == 100 && repeated["k5"] == -5)
        struct K: Decodable {
            var k5: Int
            var k99: Int
        }
        let model = try JSON.decode(K.self, from: bytes("{\(many),\"k5\":-5}"))
        #expect(model.k5 == -5 && model.k99 == 99)
    }

    @Test func membersInAnyOrder() throws {
        struct Wide: Decodable, Equatable {
            var a, b, c, d, e: Int
        }
        let expected = Wide(a: 1, b: 2, c: 3, d: 4, e: 5)
        for order in [
            #"{"a":1,"b":2,"c":3,"d":4,"e":5}"#, #"{"e":5,"d":4,"c":3,"b":2,"a":1}"#,
            #"{"c":3,"x":[{"a":0}],"a":1,"e":5,"b":2,"d":4}"#,
        ] {
            #expect(try JSON.decode(Wide.self, from: bytes(order)) == expected, "\(order)")
        }
    }

    @Test func numbers() throws {
        #expect(try JSON.decode(Int.self, from: bytes("60.0")) == 60)
        #expect(try JSON.decode(Int.self, from: bytes("1e3")) == 1000)
        #expect(try JSON.decode(Int64.self, from: bytes("-9223372036854775808")) == .min)
        #expect(try JSON.decode(UInt64.self, from: bytes("18446744073709551615")) == .max)
        #expect(try JSON.decode(UInt8.self, from: bytes("-0")) == 0)
        #expect(throws: DecodingError.self) { try JSON.decode(Int.self, from: bytes("1.5")) }
        #expect(throws: DecodingError.self) { try JSON.decode(UInt8.self, from: bytes("256")) }
        #expect(throws: DecodingError.self) { try JSON.decode(Int64.self, from: bytes("9223372036854775808")) }
        #expect(throws: DecodingError.self) { try JSON.decode(Double.self, from: bytes("1e400")) }
        #expect(try JSON.decode(Double.self, from: bytes("1e-400")) == 0)
        #expect(try JSON.decode(Float.self, from: bytes("3.4028235e38")) == .greatestFiniteMagnitude)
        #expect(throws: DecodingError.self) { try JSON.decode(Float.self, from: bytes("1e39")) }
        for literal in [
            "0.1", "1e23", "2.2250738585072011e-308", "9007199254740993", "1.7976931348623157e308", "4.9e-324",
            "123456789012345678901234567890e-10", "0.000001", "-0.0", "3.141592653589793238462643383279",
            "1.00000000000000011102230246251565404236316680908203125", "7.2057594037927933e16", "1e22", "1e-22",
        ] {
            #expect(try JSON.decode(Double.self, from: bytes(literal)) == Double(literal)!, "\(literal)")
        }
        #expect(
            try JSON.decode(JSONValue.self, from: bytes("[1, 1.0, -0, 100000000000000000000]"))
                == .array([
                    .integer(1), .number(1), .number(-0.0), .number(1e20),
                ]))
    }

    @Test func numbersAreWrittenShortest() throws {
        let values: [Double] = [1, -0.0, 0.1, 1e300, 5e-324, 123456.789, 1e16, 2.5, -7]
        #expect(text(try JSON.encode(values)) == "[1,-0,0.1,1e+300,5e-324,123456.789,1e+16,2.5,-7]")
        #expect(text(try JSON.encode([Float(1.1), 2])) == "[1.1,2]")
        #expect(text(try JSON.encode([Int64.min, Int64.max])) == "[-9223372036854775808,9223372036854775807]")
        #expect(text(try JSON.encode([UInt64.max])) == "[18446744073709551615]")
    }

    @Test func stringsAreEscapedAsJSONRequiresAndNoMore() throws {
        let input = "\"\\/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é日😀 " + String(repeating: "x", count: 20) + "\""
        let encoded = text(try JSON.encode(input))
        #expect(
            encoded == #""\"\\/\n\r\t\b\f\u0000\u001f"# + "\u{7f}é日😀 " + String(repeating: "x", count: 20) + #"\"""#)
        #expect(try JSON.decode(String.self, from: Array(encoded.utf8)) == input)
    }

    @Test func sortedKeysAndPrettyPrinting() throws {
        let value: JSONValue = .object([
            "b": .array([.integer(1), .object(["z": .null, "a": .bool(true)])]), "a": .object([:]), "é": .array([]),
            "B": .string("x"),
        ])
        #expect(
            text(try JSON.encode(value, options: .init(sortedKeys: true)))
                == #"{"B":"x","a":{},"b":[1,{"a":true,"z":null}],"é":[]}"#)
        let pretty = text(try JSON.encode(value, options: .init(sortedKeys: true, prettyPrinted: true)))
        #expect(
            pretty == """
                {
                  "B": "x",
                  "a": {},
                  "b": [
                    1,
                    {
                      "a": true,
                      "z": null
                    }
                  ],
                  "é": []
                }
                """)
        #expect(try JSON.decode(JSONValue.self, from: Array(pretty.utf8)) == value)
    }

    /// Sorted keys are the same bytes Foundation writes with `.sortedKeys` and
    /// `.withoutEscapingSlashes`, for what the kit hashes.
    @Test func sortedKeysMatchFoundation() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let values: [JSONValue] = [
            .object([
                "specversion": .string("1.0"), "id": .string("a/b"),
                "data": .object(["Z": .integer(1), "a": .number(0.5)]),
            ]),
            .object(["a10": .null, "a9": .null, "A": .null, "_": .null, "ab": .null, "a": .null]),
        ]
        for value in values {
            #expect(
                text(try JSON.encode(value, options: .init(sortedKeys: true))) == text(Array(try encoder.encode(value)))
            )
        }
    }

    @Test func nonFiniteNumbersAreRefusedWithThePath() throws {
        struct Model: Encodable {
            var values: [Double]
        }
        do {
            _ = try JSON.encode(Model(values: [1, .nan]))
            Issue.record("NaN was encoded")
        } catch let EncodingError.invalidValue(_, context) {
            #expect(pathString(context.codingPath) == "$.values[1]")
        }
        #expect(throws: EncodingError.self) { try JSON.encode(JSONValue.array([.number(.infinity)])) }
        #expect(throws: EncodingError.self) { try JSON.encode(Float.nan) }
    }

    @Test func aNestedContainerUsedAfterItsParentMovedOnIsAnError() throws {
        struct Misuse: Encodable {
            enum Keys: String, CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try container.encode(1, forKey: .b)
                try nested.encode(2, forKey: .a)
            }
        }
        #expect(throws: EncodingError.self) { try JSON.encode(Misuse()) }
    }

    @Test func aValueThatEncodesNothingIsAnEmptyObject() throws {
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(text(try JSON.encode(["a": Nothing()])) == #"{"a":{}}"#)
    }

    @Test func userInfoReachesTheModels() throws {
        struct Reader: Decodable {
            static let key = CodingUserInfoKey(rawValue: "k")!
            var seen: String
            init(from decoder: any Decoder) throws { seen = decoder.userInfo[Self.key] as? String ?? "" }
        }
        #expect(
            try JSON.decode(Reader.self, from: bytes("{}"), options: .init(userInfo: [Reader.key: "v"])).seen == "v")
    }
}
