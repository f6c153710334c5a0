// libFuzzer target: CloudEvents validation, and the extraction of a CloudEvent from an SQS
// message body (plain, inside an SNS notification, inside an EventBridge event). Nothing may
// crash: every input ends in an event or an error naming what is wrong. See Tests/Fuzz/README.md.
import CloudEvents
import Foundation
import FuzzSupport
import LambdaEventSamples
import LambdaEvents

func fuzzOne(_ bytes: [UInt8]) {
    if let json = try? JSONValue(parsing: Data(bytes)) {
        if let event = try? CloudEvent(validating: json) { try? event.validate() }
    }
    let message = SQSMessage.make(body: String(decoding: bytes, as: UTF8.self))
    _ = try? message.receivedCloudEvent()
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("CloudEventsFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
