// libFuzzer target: CloudEvents validation, and the extraction of a CloudEvent from an SQS
// message body (plain, inside an SNS notification, inside an EventBridge event). Nothing may
// crash: every input ends in an event or an error naming what is wrong. See Tests/Fuzz/README.md.
import CloudEvents
import Foundation
import LambdaEventSamples
import LambdaEvents

func fuzzOne(_ bytes: [UInt8]) {
    if let json = try? JSONValue(parsing: Data(bytes)) {
        if let event = try? CloudEvent(validating: json) { try? event.validate() }
    }
    let message = SQSMessage.make(body: String(decoding: bytes, as: UTF8.self))
    _ = try? message.receivedCloudEvent()
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        fuzzOne(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
#else
    /// A plain build: replays the files named on the command line.
    @main enum Replay {
        static func main() {
            for path in CommandLine.arguments.dropFirst() {
                fuzzOne(Array(FileManager.default.contents(atPath: path) ?? Data()))
                print("ok \(path)")
            }
        }
    }
#endif
