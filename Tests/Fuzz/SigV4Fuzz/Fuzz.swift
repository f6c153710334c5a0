// libFuzzer target: SigV4 canonicalisation of arbitrary paths, query strings and headers. The
// input's first line is appended to the URL (path and query as a caller might build them), the
// rest is a header value. Signing must not crash, must be deterministic, and must produce one
// Authorization header of the SigV4 shape. See Tests/Fuzz/README.md.
import AWSCore
import Foundation
import FuzzSupport
import LambdaHTTP
import UTCTime

let signer = SigV4Signer(
    credentials: AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    region: "us-east-1", service: "service")
let time = UTCTime(secondsSince1970: 1_440_938_160)

func fuzzOne(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let suffix = String(lines.first ?? "")
    let value = lines.count > 1 ? String(lines[1]) : ""
    func signed() -> HTTPRequest {
        var request = HTTPRequest(
            method: "GET", url: "https://example.amazonaws.com/" + suffix, headers: ["X-Amz-Meta-Fuzz": value])
        signer.sign(&request, at: time)
        return request
    }
    let first = signed()
    let second = signed()
    precondition(first.headers["Authorization"] == second.headers["Authorization"], "signing is not deterministic")
    let authorization = first.headers["Authorization"] ?? ""
    precondition(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "no SigV4 Authorization")
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("SigV4Fuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
