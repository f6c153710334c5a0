// libFuzzer target: every event model's decoding (through EventValidator, which decodes the
// event as the kind its shape says, and as each kind it names), the JSONValue parser, and
// EventBody's typed decode. Nothing may crash; what parses as JSONValue must re-encode and
// parse back to the same value. See Tests/Fuzz/README.md.
import Foundation
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
