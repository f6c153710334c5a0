// Decode and encode throughput of the event models with the kit's coder (JSONCoding), beside
// Foundation's JSONDecoder/JSONEncoder and Python's `json` module on the same files, in one run.
//
//   make bench-events                  # a table
//   .build/release/EventsBenchmark --json [folder]   # the figures as one JSON object
//
// Writes the input files to a folder (default .build/bench-events), times each coder, then runs
// json_bench.py (next to this file) on the same files. Foundation is here only to be compared
// with: the bootstraps do not link it.
import Foundation
import JSONCoding
import LambdaEvents

let arguments = CommandLine.arguments.dropFirst()
let printJSON = arguments.contains("--json")
let outputDirectory = URL(fileURLWithPath: arguments.first { $0 != "--json" } ?? ".build/bench-events")

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
    return Data(try JSON.encode(JSONValue.object(["Records": .array(records)])))
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

try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
let sqsFile = outputDirectory.appendingPathComponent("sqs-10x256KB.json")
let v2File = outputDirectory.appendingPathComponent("apigw-v2-request.json")
try sqsBatch(messages: 10, bodyBytes: 256 * 1024 - 1024).write(to: sqsFile)
try Data(v2Request.utf8).write(to: v2File)

let sqsData = try Data(contentsOf: sqsFile)
let v2Data = try Data(contentsOf: v2File)
let sqsBytes = [UInt8](sqsData)
let v2Bytes = [UInt8](v2Data)
// The inputs must be what the models accept, and both coders must agree on them, or the
// numbers mean nothing.
let sqsEvent = try JSON.decode(SQSEvent.self, from: sqsBytes)
precondition(sqsEvent.records.count == 10 && sqsEvent.records.allSatisfy { $0.body.utf8.count <= 256 * 1024 })
let foundationSQSEvent = try JSONDecoder().decode(SQSEvent.self, from: sqsData)
precondition(foundationSQSEvent == sqsEvent)
let v2Event = try JSON.decode(APIGatewayV2Request.self, from: v2Bytes)
let foundationV2Event = try JSONDecoder().decode(APIGatewayV2Request.self, from: v2Data)
precondition(foundationV2Event == v2Event)
let reencoded = try JSON.decode(SQSEvent.self, from: try JSON.encode(sqsEvent))
precondition(reencoded == sqsEvent)

struct Row: Encodable {
    var name: String
    var coder: String
    var bytes: Int
    var seconds: Double
    var microseconds: Double { seconds * 1e6 }
    var megabytesPerSecond: Double { Double(bytes) / seconds / 1e6 }

    enum CodingKeys: String, CodingKey { case name, coder, bytes, microseconds, megabytesPerSecond }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(coder, forKey: .coder)
        try container.encode(bytes, forKey: .bytes)
        try container.encode((microseconds * 10).rounded() / 10, forKey: .microseconds)
        try container.encode((megabytesPerSecond * 10).rounded() / 10, forKey: .megabytesPerSecond)
    }
}

let foundationDecoder = JSONDecoder()
let foundationEncoder = JSONEncoder()
let sqsEncodedBytes = try JSON.encode(sqsEvent).count
let v2EncodedBytes = try JSON.encode(v2Event).count
nonisolated(unsafe) var rows: [Row] = []
func add(_ name: String, _ coder: String, bytes: Int, _ body: () throws -> Void) rethrows {
    rows.append(Row(name: name, coder: coder, bytes: bytes, seconds: try measure(body)))
}

try add("decode SQSEvent (10 x 256 KB)", "JSONCoding", bytes: sqsBytes.count) {
    _ = try JSON.decode(SQSEvent.self, from: sqsBytes)
}
try add("decode SQSEvent (10 x 256 KB)", "Foundation", bytes: sqsBytes.count) {
    _ = try foundationDecoder.decode(SQSEvent.self, from: sqsData)
}
try add("decode SQSEvent + bodies as JSONValue", "JSONCoding", bytes: sqsBytes.count) {
    let event = try JSON.decode(SQSEvent.self, from: sqsBytes)
    for record in event.records { _ = try record.decodeBody(JSONValue.self) }
}
try add("decode SQSEvent + bodies as JSONValue", "Foundation", bytes: sqsBytes.count) {
    let event = try foundationDecoder.decode(SQSEvent.self, from: sqsData)
    for record in event.records { _ = try foundationDecoder.decode(JSONValue.self, from: Data(record.body.utf8)) }
}
try add("decode SQS file, untyped", "JSONSerialization", bytes: sqsBytes.count) {
    _ = try JSONSerialization.jsonObject(with: sqsData)
}
try add("decode APIGatewayV2Request", "JSONCoding", bytes: v2Bytes.count) {
    _ = try JSON.decode(APIGatewayV2Request.self, from: v2Bytes)
}
try add("decode APIGatewayV2Request", "Foundation", bytes: v2Bytes.count) {
    _ = try foundationDecoder.decode(APIGatewayV2Request.self, from: v2Data)
}
try add("encode SQSEvent (10 x 256 KB)", "JSONCoding", bytes: sqsEncodedBytes) { _ = try JSON.encode(sqsEvent) }
try add("encode SQSEvent (10 x 256 KB)", "Foundation", bytes: sqsEncodedBytes) {
    _ = try foundationEncoder.encode(sqsEvent)
}
try add("encode APIGatewayV2Request", "JSONCoding", bytes: v2EncodedBytes) { _ = try JSON.encode(v2Event) }
try add("encode APIGatewayV2Request", "Foundation", bytes: v2EncodedBytes) {
    _ = try foundationEncoder.encode(v2Event)
}

// Python's json module on the same files, in the same run; it answers with JSON rows.
let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("json_bench.py")
let python = Process()
let pipe = Pipe()
python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
python.arguments = ["python3", scriptPath.path, sqsFile.path, v2File.path]
python.standardOutput = pipe
try python.run()
let pythonOutput = pipe.fileHandleForReading.readDataToEndOfFile()
python.waitUntilExit()
guard python.terminationStatus == 0 else {
    FileHandle.standardError.write(
        Data("python3 \(scriptPath.path) failed with status \(python.terminationStatus)\n".utf8))
    exit(1)
}
struct PythonReport: Decodable {
    var version: String
    var rows: [PythonRow]
    struct PythonRow: Decodable {
        var name: String
        var bytes: Int
        var seconds: Double
    }
}
let pythonReport = try JSON.decode(PythonReport.self, from: [UInt8](pythonOutput))
for row in pythonReport.rows {
    rows.append(
        Row(name: row.name, coder: "Python \(pythonReport.version) json", bytes: row.bytes, seconds: row.seconds))
}

func seconds(_ name: String, _ coder: String) -> Double {
    rows.first { $0.name.hasPrefix(name) && $0.coder.hasPrefix(coder) }!.seconds
}
/// What the issue's targets compare: above 1 is better for the kit.
struct Ratios: Encodable {
    var sqsDecodeVersusPython: Double
    var v2DecodeTimeVersusPython: Double
    var sqsEncodeVersusFoundation: Double
    var v2EncodeVersusFoundation: Double
    var sqsDecodeVersusFoundation: Double
}
func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
let ratios = Ratios(
    sqsDecodeVersusPython: rounded(
        seconds("decode SQS file, untyped", "Python") / seconds("decode SQSEvent (10", "JSONCoding")),
    v2DecodeTimeVersusPython: rounded(
        seconds("decode APIGatewayV2Request", "JSONCoding") / seconds("decode API GW v2 file", "Python")),
    sqsEncodeVersusFoundation: rounded(
        seconds("encode SQSEvent (10", "Foundation") / seconds("encode SQSEvent (10", "JSONCoding")),
    v2EncodeVersusFoundation: rounded(
        seconds("encode APIGatewayV2Request", "Foundation") / seconds("encode APIGatewayV2Request", "JSONCoding")),
    sqsDecodeVersusFoundation: rounded(
        seconds("decode SQSEvent (10", "Foundation") / seconds("decode SQSEvent (10", "JSONCoding")))

if printJSON {
    struct Report: Encodable {
        var rows: [Row]
        var ratios: Ratios
    }
    print(String(decoding: try JSON.encode(Report(rows: rows, ratios: ratios)), as: UTF8.self))
} else {
    for row in rows {
        print(
            row.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + row.coder.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(
                    format: " %9d bytes  %10.1f µs  %8.1f MB/s", row.bytes, row.microseconds, row.megabytesPerSecond))
    }
    print(
        String(
            format:
                "SQS decode vs Python json.loads: %.2fx; API GW v2 decode time vs Python: %.2fx; encode vs Foundation: SQS %.2fx, v2 %.2fx",
            ratios.sqsDecodeVersusPython, ratios.v2DecodeTimeVersusPython, ratios.sqsEncodeVersusFoundation,
            ratios.v2EncodeVersusFoundation))
}
