// libFuzzer target: the JSON decoding a bootstrap does on every event, seeded with
// JSONTestSuite (../shared/peer-tests/json). Any bytes through the runtime's typed decode
// (nesting check, then the decoder) must end in a value or in Runtime.UnmarshalError, never
// a crash; what the kit's own parser (JSONValue) accepts must survive a round trip.
// See Tests/Fuzz/README.md.
import Foundation
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

func fuzzOne(_ bytes: [UInt8]) {
    _ = decodes(JSONValue.self, bytes)
    _ = decodes(SQSEvent.self, bytes)
    _ = decodes(APIGatewayV2Request.self, bytes)
    _ = decodes([String: String].self, bytes)
    _ = decodes([Double].self, bytes)
    if let value = try? JSONValue(parsing: Data(bytes)) {
        let encoded = try! JSONEventCoding.encode(value)
        let again = try! JSONValue(parsing: Data(encoded))
        // The same JSON value: key order aside, and 0e1 written back as 0.
        precondition(again.firstDifference(from: value) == nil, "JSONValue did not survive a round trip")
    }
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
