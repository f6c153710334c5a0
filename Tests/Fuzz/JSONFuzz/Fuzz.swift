// libFuzzer target: the JSON decoding a bootstrap does on every event, seeded with
// JSONTestSuite (../shared/peer-tests/json). Any bytes through the runtime's typed decode
// (nesting check, then the decoder) must end in a value or in Runtime.UnmarshalError, never
// a crash; what the kit's own parser (JSONValue) accepts must survive a round trip.
// See Tests/Fuzz/README.md.
import Foundation
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
