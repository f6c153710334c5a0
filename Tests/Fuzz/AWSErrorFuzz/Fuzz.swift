// libFuzzer target: the AWS error parsers (awsJson's body and header, the query protocol's
// XML) and the XML parser under them. Any body a service or a proxy might answer with must end
// in an AWSError naming a code or the status, never a crash. See Tests/Fuzz/README.md.
import AWSCore
import Foundation
import FuzzSupport
import LambdaHTTP

let json = AWSService(
    name: "SQS", signingName: "sqs", endpointPrefix: "sqs", environmentSuffix: "SQS",
    wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS"))
let query = AWSService(
    name: "SNS", signingName: "sns", endpointPrefix: "sns", environmentSuffix: "SNS",
    wireProtocol: .query(apiVersion: "2010-03-31"))

func fuzzOne(_ bytes: [UInt8]) {
    for status in [400, 500, 503] {
        for service in [json, query] {
            let response = HTTPResponse(
                status: status, headers: ["x-amzn-ErrorType": String(decoding: bytes.prefix(64), as: UTF8.self)],
                body: bytes)
            let error = ErrorParsing.parse(response, service: service, operation: "Fuzz")
            _ = error.description
        }
    }
    _ = try? XMLElementNode.parse(bytes)
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("AWSErrorFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
