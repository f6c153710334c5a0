// libFuzzer target: every event model's decoding (through EventValidator, which decodes the
// event as the kind its shape says, and as each kind it names), the JSONValue parser, and
// EventBody's typed decode. Nothing may crash; what parses as JSONValue must re-encode and
// parse back to the same value. See Tests/Fuzz/README.md.
import Foundation
import FuzzSupport
import LambdaEvents

func fuzzOne(_ bytes: [UInt8]) {
    let data = Data(bytes)
    _ = EventValidator.validate(data)
    for kind in EventKind.allCases { _ = EventValidator.validate(data, as: kind) }
    if let value = try? JSONValue(parsing: Data(bytes)) {
        let encoded = try! JSONEncoder().encode(value)
        let again = try! JSONValue(parsing: encoded)
        // The same JSON value: key order aside, and 0e1 written back as 0.
        precondition(again.firstDifference(from: value) == nil, "JSONValue did not survive a round trip")
    }
    // A body as API Gateway or SQS would carry it, plain and base64-flagged.
    let body = String(decoding: bytes, as: UTF8.self)
    _ = try? EventBody.decode(JSONValue.self, from: body, record: "r", field: "body")
    _ = try? EventBody.decode([String: Int].self, from: body, isBase64Encoded: true, record: "r", field: "body")
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("EventsFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
