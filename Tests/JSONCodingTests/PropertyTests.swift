import Foundation
import JSONCoding
import PropertyBased
import Testing

/// Characters a JSON string must survive: quotes, backslashes, slashes, control bytes, the
/// rest of ASCII, two- three- and four-byte UTF-8, combining marks.
let awkwardCharacter = Generator<Character, Shrink.None<Character>> { rng in
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return ["\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\r\n"].randomElement(using: &rng)!
    case 1: return Character(Unicode.Scalar(UInt8.random(in: 0...0x1F, using: &rng)))
    case 2: return Character(Unicode.Scalar(UInt32.random(in: 0x80...0x7FF, using: &rng))!)
    case 3: return Character(Unicode.Scalar(UInt32.random(in: 0x800...0xD7FF, using: &rng))!)
    case 4: return Character(Unicode.Scalar(UInt32.random(in: 0xE000...0xFFFD, using: &rng))!)
    case 5: return Character(Unicode.Scalar(UInt32.random(in: 0x1_0000...0x10_FFFF, using: &rng))!)
    case 6: return "e\u{301}"
    default: return Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
    }
}

let awkwardString = awkwardCharacter.string(of: 0...24)

/// A finite double that is not a whole number: whole ones are written without `.0` and come
/// back as `JSONValue.integer`, as they always have.
func fractionalDouble(_ rng: inout any SeededRandomNumberGenerator) -> Double {
    while true {
        let value =
            Bool.random(using: &rng)
            ? Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            : Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 64
        if value.isFinite, value.rounded() != value { return value }
    }
}

func randomString(_ rng: inout any SeededRandomNumberGenerator) -> String {
    awkwardString.run(using: &rng)
}

func randomJSON(_ rng: inout any SeededRandomNumberGenerator, depth: Int) -> JSONValue {
    let choice = Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &rng)
    switch choice {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .integer(Int64.random(in: .min ... .max, using: &rng))
    case 3: return .number(fractionalDouble(&rng))
    case 4, 5: return .string(randomString(&rng))
    case 6:
        return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            members[randomString(&rng)] = randomJSON(&rng, depth: depth + 1)
        }
        return .object(members)
    }
}

let jsonValues = Generator<JSONValue, Shrink.None<JSONValue>> { rng in randomJSON(&rng, depth: 0) }

struct Line: Codable, Equatable {
    var sku: String
    var quantity: Int
    var price: Double
}

struct Order: Codable, Equatable {
    var id: String
    var note: String?
    var quantity: Int64
    var price: Double
    var tags: [String]
    var attributes: [String: String]
    var lines: [Line]
    var matrix: [[Int]]
    var extra: JSONValue?
}

let lines = zip(awkwardString, Gen.int(in: -1000...1000), Gen.double(in: -1e6...1e6)).map {
    Line(sku: $0, quantity: $1, price: $2)
}

let orders = zip(
    zip(awkwardString, awkwardString.optional, Gen.int64(in: .min ... .max), Gen.double(in: -1e300...1e300)),
    awkwardString.array(of: 0...4),
    zip(awkwardString, awkwardString).array(of: 0...4),
    lines.array(of: 0...3),
    Gen.int(in: .min ... .max).array(of: 0...3).array(of: 0...3),
    // `.some(.null)` reads back as nil, as with any optional written as null.
    jsonValues.filter { $0 != .null }.optional
).map { head, tags, attributes, lines, matrix, extra in
    Order(
        id: head.0, note: head.1, quantity: head.2, price: head.3, tags: tags,
        attributes: Dictionary(attributes, uniquingKeysWith: { first, _ in first }), lines: lines, matrix: matrix,
        extra: extra)
}

@Suite struct PropertyTests {
    @Test func jsonValuesSurviveEncodeAndDecode() async {
        await propertyCheck(count: 500, input: jsonValues) { value in
            let encoded = try JSON.encode(value)
            #expect(try JSON.decode(JSONValue.self, from: encoded) == value)
            #expect(try JSONValue(parsing: encoded) == value)
            let sorted = try JSON.encode(value, options: .init(sortedKeys: true))
            #expect(try JSON.decode(JSONValue.self, from: sorted) == value)
            let pretty = try JSON.encode(value, options: .init(sortedKeys: true, prettyPrinted: true))
            #expect(try JSON.decode(JSONValue.self, from: pretty) == value)
        }
    }

    @Test func jsonValuesAgreeWithFoundation() async {
        await propertyCheck(count: 200, input: jsonValues) { value in
            // Foundation reads this coder's output…
            let ours = try JSON.encode(value)
            let readByFoundation = try JSONDecoder().decode(JSONValue.self, from: Data(ours))
            #expect(readByFoundation.firstDifference(from: value) == nil)
            // …and this coder reads Foundation's.
            let foundation = try JSONEncoder().encode(value)
            #expect(try JSON.decode(JSONValue.self, from: foundation) == value)
        }
    }

    @Test func modelsSurviveEncodeAndDecode() async {
        await propertyCheck(count: 300, input: orders) { order in
            let encoded = try JSON.encode(order)
            #expect(try JSON.decode(Order.self, from: encoded) == order)
            #expect(try JSONDecoder().decode(Order.self, from: Data(encoded)) == order)
            #expect(try JSON.decode(Order.self, from: try JSONEncoder().encode(order)) == order)
            #expect(try JSON.decode([Order].self, from: try JSON.encode([order, order])) == [order, order])
        }
    }

    @Test func doublesReadBackExactly() async {
        await propertyCheck(count: 2000, input: Gen.uint64(in: 0 ... .max)) { bits in
            let value = Double(bitPattern: bits)
            guard value.isFinite else { return }
            do {
                #expect(try JSON.decode(Double.self, from: try JSON.encode(value)) == value)
                #expect(try JSON.decode(Double.self, from: Array(value.description.utf8)) == value)
                let exponent = String(format: "%.17e", value)
                #expect(try JSON.decode(Double.self, from: Array(exponent.utf8)) == Double(exponent))
            } catch {
                Issue.record("\(value): \(error)")
            }
        }
    }
}
