// Decode throughput of the event models, beside Python's `json` module on the same files.
//
//   swiftb build -c release --product EventsBenchmark && .build/release/EventsBenchmark
//
// Writes the input files to a folder (default .build/bench-events), times JSONDecoder into
// the models, then runs json_bench.py (next to this file) on the same files and prints both.
import Foundation
import LambdaEvents

let arguments = CommandLine.arguments
let outputDirectory = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : ".build/bench-events")
let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("json_bench.py")
    .path

// MARK: Inputs

/// A CloudEvent whose JSON is `targetBytes` long (give or take a few bytes), as a producer of
/// large order events would send it.
func cloudEvent(index: Int, targetBytes: Int) -> String {
    var items: [String] = []
    var event = ""
    func render() -> String {
        """
        {"specversion":"1.0","id":"9d6c3f7e-\(String(format: "%04d", index))-4b1a-8f2e-5c0d9a7b3e21","source":"/shop/orders",\
        "type":"order.created","subject":"ord-\(index)","time":"2026-03-14T09:26:53.250Z",\
        "datacontenttype":"application/json","data":{"orderId":"ord-\(index)","customerId":"cus-311","currency":"EUR",\
        "items":[\(items.joined(separator: ","))]}}
        """
    }
    event = render()
    while event.utf8.count < targetBytes - 200 {
        let n = items.count
        items.append(
            #"{"sku":"SKU-\#(7000 + n)","name":"Widget \"deluxe\" no. \#(n)","quantity":\#(n % 5 + 1),"unitPrice":\#(Double(n % 97) + 0.99),"tags":["a","b"]}"#
        )
        event = render()
    }
    return event
}

func sqsBatch(messages: Int, bodyBytes: Int) throws -> Data {
    let records: [JSONValue] = (0..<messages).map { index in
        let body = cloudEvent(index: index, targetBytes: bodyBytes)
        return .object([
            "messageId": .string("059f36b4-87a3-44ab-83d2-66197\(String(format: "%07d", index))"),
            "receiptHandle": .string("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a" + String(repeating: "x", count: 120)),
            "body": .string(body),
            "attributes": .object([
                "ApproximateReceiveCount": .string("1"), "SentTimestamp": .string("1773480413250"),
                "SenderId": .string("AROAIWPX5BD2BHG722MW4:sender"),
                "ApproximateFirstReceiveTimestamp": .string("1773480413262"),
            ]),
            "messageAttributes": .object([:]),
            "md5OfBody": .string("e4e68fb7bd0e697a0ae8f1bb342846b3"),
            "eventSource": .string("aws:sqs"),
            "eventSourceARN": .string("arn:aws:sqs:us-east-1:123456789012:events-queue"),
            "awsRegion": .string("us-east-1"),
        ])
    }
    return try JSONEncoder().encode(JSONValue.object(["Records": .array(records)]))
}

let v2Request = #"""
    {"version":"2.0","routeKey":"POST /events","rawPath":"/events","rawQueryString":"source=web&dryRun=false",
    "cookies":["session=4f1c9e2a7b; Secure; HttpOnly","theme=dark"],
    "headers":{"accept":"application/json","content-length":"329","content-type":"application/json",
    "host":"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com","user-agent":"curl/8.5.0",
    "x-amzn-trace-id":"Root=1-65b7f3a1-3f1c2e9d8b7a6c5d4e3f2a1b","x-forwarded-for":"203.0.113.7",
    "x-forwarded-port":"443","x-forwarded-proto":"https","authorization":"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2ln"},
    "queryStringParameters":{"source":"web","dryRun":"false"},
    "requestContext":{"accountId":"123456789012","apiId":"a1b2c3d4e5",
    "authorizer":{"jwt":{"claims":{"sub":"user-42","iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc","aud":"7k2m","exp":"1773484013","scope":"events/write"},"scopes":["events/write"]}},
    "domainName":"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com","domainPrefix":"a1b2c3d4e5",
    "http":{"method":"POST","path":"/events","protocol":"HTTP/1.1","sourceIp":"203.0.113.7","userAgent":"curl/8.5.0"},
    "requestId":"JxELRNTE8qoGgk=","routeKey":"POST /events","stage":"$default",
    "time":"14/Mar/2026:09:26:53 +0000","timeEpoch":1773480413250},
    "body":"{\"specversion\":\"1.0\",\"id\":\"2e47225a-ec08-487a-b74f-2b294154f6a7\",\"source\":\"/shop/orders\",\"type\":\"order.created\",\"subject\":\"ord-1042\",\"time\":\"2026-03-14T09:26:53.250Z\",\"datacontenttype\":\"application/json\",\"data\":{\"orderId\":\"ord-1042\",\"customerId\":\"cus-311\",\"total\":129.9,\"currency\":\"EUR\",\"items\":[{\"sku\":\"SKU-7731\",\"quantity\":2}]}}",
    "isBase64Encoded":false}
    """#

// MARK: Timing

/// Runs `body` in rounds of at least 0.2 s and returns the median seconds per call.
func measure(_ body: () throws -> Void) rethrows -> Double {
    var iterations = 1
    while true {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        if elapsed >= .milliseconds(200) { break }
        iterations *= 2
    }
    var rounds: [Double] = []
    for _ in 0..<7 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        rounds.append(
            (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(iterations))
    }
    return rounds.sorted()[rounds.count / 2]
}

func mbPerSecond(bytes: Int, seconds: Double) -> Double { Double(bytes) / seconds / 1_000_000 }

try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
let sqsFile = outputDirectory.appendingPathComponent("sqs-10x256KB.json")
let v2File = outputDirectory.appendingPathComponent("apigw-v2-request.json")
try sqsBatch(messages: 10, bodyBytes: 256 * 1024 - 1024).write(to: sqsFile)
try Data(v2Request.utf8).write(to: v2File)

let sqsData = try Data(contentsOf: sqsFile)
let v2Data = try Data(contentsOf: v2File)
// The inputs must be what the models accept, or the numbers mean nothing.
let sqsEvent = try JSONDecoder().decode(SQSEvent.self, from: sqsData)
precondition(sqsEvent.records.count == 10 && sqsEvent.records.allSatisfy { $0.body.utf8.count <= 256 * 1024 })
_ = try JSONDecoder().decode(APIGatewayV2Request.self, from: v2Data)

struct Row {
    var name: String
    var bytes: Int
    var seconds: Double
}

let decoder = JSONDecoder()
var rows: [Row] = []
rows.append(
    Row(
        name: "SQSEvent (10 x 256 KB)", bytes: sqsData.count,
        seconds: try measure { _ = try decoder.decode(SQSEvent.self, from: sqsData) }))
rows.append(
    Row(
        name: "SQSEvent + bodies as JSONValue", bytes: sqsData.count,
        seconds: try measure {
            let event = try decoder.decode(SQSEvent.self, from: sqsData)
            for record in event.records { _ = try record.decodeBody(JSONValue.self, decoder: decoder) }
        }))
rows.append(
    Row(
        name: "JSONSerialization (SQS file)", bytes: sqsData.count,
        seconds: try measure { _ = try JSONSerialization.jsonObject(with: sqsData) }))
rows.append(
    Row(
        name: "APIGatewayV2Request", bytes: v2Data.count,
        seconds: try measure { _ = try decoder.decode(APIGatewayV2Request.self, from: v2Data) }))
rows.append(
    Row(
        name: "JSONSerialization (v2 file)", bytes: v2Data.count,
        seconds: try measure { _ = try JSONSerialization.jsonObject(with: v2Data) }))

print("Swift (JSONDecoder into the LambdaEvents models, -c release)")
for row in rows {
    print(
        "  " + row.name.padding(toLength: 34, withPad: " ", startingAt: 0)
            + String(
                format: " %9d bytes  %10.1f µs/decode  %8.1f MB/s",
                row.bytes, row.seconds * 1e6, mbPerSecond(bytes: row.bytes, seconds: row.seconds)))
}
// Python writes to the same terminal: flush first so the two tables do not interleave.
fflush(nil)

// Python's json module on the same files, in the same run.
let python = Process()
python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
python.arguments = ["python3", scriptPath, sqsFile.path, v2File.path]
try python.run()
python.waitUntilExit()
if python.terminationStatus != 0 { print("python3 \(scriptPath) failed with status \(python.terminationStatus)") }
