// libFuzzer target: the runtime's handling of the Runtime API's answer to `/next`. Each input is
// the whole HTTP response, written as it is by a loopback server; `RuntimeAPIClient.next()`
// must return an invocation or throw a RuntimeAPIError, never crash or hang. See
// Tests/Fuzz/README.md.
import Foundation
import FuzzSupport
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

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("RuntimeResponseFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
