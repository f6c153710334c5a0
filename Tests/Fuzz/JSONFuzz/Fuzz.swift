// libFuzzer target: the kit's JSON coder (JSONCoding), which every bootstrap runs on every
// event, seeded with JSONTestSuite (../shared/peer-tests/json); `make fuzz-json` runs it alone.
// Any bytes through the runtime's typed decode must end in a value or in
// Runtime.UnmarshalError, never a crash. Whatever decodes, as JSONValue or as a model, must
// encode, decode again to the same value and encode again to the same bytes, compact and
// pretty-printed alike; the direct parser (`JSONValue(parsing:)`) must agree with `JSON.decode`.
// See Tests/Fuzz/README.md.
import FuzzSupport
import JSONCoding
import LambdaEvents
import LambdaRuntime

/// The typed decode of one event, as `JSONCodingHandler` runs it: a value or the runtime's
/// UnmarshalError (its type is the contract; a crash or any other error fails).
func decodes<Event: Decodable>(_ type: Event.Type, _ bytes: [UInt8]) -> Bool {
    do {
        let _: Event = try JSONEventCoding.decode(bytes)
        return true
    } catch {
        precondition(error.errorType == "Runtime.UnmarshalError", "unexpected error type \(error.errorType)")
        precondition(!error.errorMessage.isEmpty)
        return false
    }
}

/// A model with every kind of member the coder handles: optionals, small and large integers,
/// floats, enums, nested arrays and dictionaries, an open-ended JSONValue, recursion.
struct Sample: Codable, Equatable {
    enum Kind: String, Codable { case order, refund }
    var id: String
    var kind: Kind?
    var count: Int?
    var small: Int8?
    var big: UInt64?
    var ratio: Double?
    var single: Float?
    var flag: Bool?
    var tags: [String]?
    var matrix: [[Int]]?
    var attributes: [String: String]?
    var detail: JSONValue?
    var children: [Sample]?
}

let sorted = JSON.EncodingOptions(sortedKeys: true)

/// If `bytes` decode as `T`, the value survives encode → decode unchanged, compared as sorted
/// bytes (`1.0` is written `1` and comes back an integer inside a JSONValue).
func roundTrip<T: Codable>(_: T.Type, _ bytes: [UInt8]) {
    guard let value = try? JSON.decode(T.self, from: bytes) else { return }
    // Decoding never makes a non-finite number, the one thing that cannot be encoded.
    let encoded = try! JSON.encode(value, options: sorted)
    let again = try! JSON.decode(T.self, from: encoded)
    precondition(
        try! JSON.encode(again, options: sorted) == encoded, "\(T.self) encodes differently after a round trip")
    let pretty = try! JSON.encode(value, options: .init(sortedKeys: true, prettyPrinted: true))
    let fromPretty = try! JSON.decode(T.self, from: pretty)
    precondition(try! JSON.encode(fromPretty, options: sorted) == encoded, "\(T.self): pretty printing changes it")
}

func fuzzOne(_ bytes: [UInt8]) {
    _ = decodes(JSONValue.self, bytes)
    _ = decodes(SQSEvent.self, bytes)
    _ = decodes(APIGatewayV2Request.self, bytes)
    _ = decodes([String: String].self, bytes)
    _ = decodes([Double].self, bytes)
    let decoded = try? JSON.decode(JSONValue.self, from: bytes)
    let parsed = try? JSONValue(parsing: bytes)
    precondition(decoded == parsed, "JSON.decode and JSONValue(parsing:) disagree")
    if let value = parsed {
        let encoded = try! JSONEventCoding.encode(value)
        let again = try! JSONValue(parsing: encoded)
        // The same JSON value: key order aside, and 0e1 written back as 0.
        precondition(again.firstDifference(from: value) == nil, "JSONValue did not survive a round trip")
    }
    roundTrip(JSONValue.self, bytes)
    roundTrip(Sample.self, bytes)
    roundTrip([Sample].self, bytes)
    roundTrip([String: [Double]].self, bytes)
    roundTrip(SQSEvent.self, bytes)
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("JSONFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
