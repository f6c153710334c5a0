// libFuzzer target: the runtime's handling of the Runtime API's answer to `/next`. Each input is
// the whole HTTP response, written as it is by a loopback server; `RuntimeAPIClient.next()`
// must return an invocation or throw a RuntimeAPIError, never crash or hang. See
// Tests/Fuzz/README.md.
import Foundation
import LambdaHTTP
import LambdaRuntime
import LoopbackHTTP
import Synchronization

/// The input the server answers with next; the harness runs one input at a time.
let answer = Mutex<[UInt8]>([])
let server = try! LoopbackHTTPServer { _ in .raw(answer.withLock { $0 }) }
let client = RuntimeAPIClient(endpoint: server.authority)

func fuzzOne(_ bytes: [UInt8]) {
    answer.withLock { $0 = bytes }
    do {
        let invocation = try client.next()
        precondition(!invocation.requestID.isEmpty, "an invocation without a request id")
    } catch {
        _ = error.description
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
