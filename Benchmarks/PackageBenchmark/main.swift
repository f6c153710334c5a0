// Cold starts of each packaged zip, run from an empty root as in the chroot test, beside
// the same function's unpackaged binary run directly on this machine.
//
//   PackageBenchmark [dist-dir] [release-bin-dir] [starts]
//
// "to /next" is LocalLambda's init duration: process start to the runtime's first
// /next. "to response" is from before the process is started to the first invocation's
// answer. The third row per function runs the unpackaged binary through the same
// `unshare --mount --mount-proc` the empty root uses, without the chroot, to show what
// the launcher itself costs apart from loading the bundled libraries.
import Foundation
import LambdaEmulator
import LambdaPackaging

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}

let arguments = CommandLine.arguments
let dist = arguments.count > 1 ? arguments[1] : "dist"
let binaries = arguments.count > 2 ? arguments[2] : ".build-release/release"
let starts = arguments.count > 3 ? Int(arguments[3]) ?? 30 : 30

func environment(_ function: String) -> [String: String] {
    let topic = "arn:aws:sns:us-east-1:123456789012:swift-lambda-kit-events"
    var variables = [
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LD_LIBRARY_PATH":
            "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    ]
    switch function {
    case "publish":
        variables.merge(["TOPIC_ARN": topic, "EVENT_BUS_NAME": "swift-lambda-kit", "IDEMPOTENCY_TABLE": "idempotency"])
        { $1 }
    case "process": variables["EVENTS_TABLE"] = "events"
    case "store": variables["AUDIT_TABLE"] = "audit"
    case "query":
        variables.merge([
            "IDEMPOTENCY_TABLE": "idempotency", "EVENTS_TABLE": "events", "AUDIT_TABLE": "audit",
            "NOTIFY_TYPES": "*.alert",
        ]) { $1 }
    case "rollup": variables.merge(["EVENTS_TABLE": "events", "EVENT_BUS_NAME": "swift-lambda-kit"]) { $1 }
    case "notify":
        variables.merge(["NOTIFICATIONS_TOPIC_ARN": topic + "-notifications", "IDEMPOTENCY_TABLE": "idempotency"]) {
            $1
        }
    default: break
    }
    return variables
}

/// An event each function answers without calling AWS: the sample event with its payload
/// made invalid (publish answers 422, the SQS consumers report the record as failed), so
/// that "to first response" is start-up, decoding and the runtime's round trip, not retries
/// against the closed endpoint.
func event(_ function: String) throws -> [UInt8] {
    let file =
        switch function {
        case "echo": "events/echo/hello.json"
        case "publish": "events/apigw-v2-post-events.json"
        // An id too long to be a key: query answers 400 without calling AWS.
        case "query": "events/query-apigw-v2-get-event.json"
        default: "events/sqs-sns-notification.json"
        }
    let sample = try Data(contentsOf: URL(fileURLWithPath: file))
    guard function != "echo", var object = try JSONSerialization.jsonObject(with: sample) as? [String: Any] else {
        return Array(sample)
    }
    if function == "publish" {
        object["body"] = #"{"not":"a cloud event"}"#
    } else if function == "query" {
        object["pathParameters"] = ["id": String(repeating: "x", count: 4096)]
    } else if var records = object["Records"] as? [[String: Any]] {
        for index in records.indices { records[index]["body"] = "not a cloud event" }
        object["Records"] = records
    }
    return Array(try JSONSerialization.data(withJSONObject: object))
}

struct ColdStart {
    var toNext: Duration
    var toResponse: Duration
}

func measure(_ function: String, command: [String]) throws -> ColdStart {
    let lambda = try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: command, functionName: function, timeout: .seconds(20),
            environment: environment(function), inheritsEnvironment: false,
            functionOutput: LocalLambdaConfiguration.discard))
    defer { lambda.shutdown() }
    let payload = try event(function)
    var toNext: [Duration] = []
    var toResponse: [Duration] = []
    for _ in 0..<starts {
        let began = ContinuousClock.now
        let report = lambda.invoke(payload)
        let answered = began.duration(to: .now)
        switch report.result {
        case .response, .functionError: break
        default:
            throw BenchmarkError(
                description: "\(function) via \(command): \(String(decoding: report.payload, as: UTF8.self))")
        }
        guard let initDuration = report.initDuration else {
            throw BenchmarkError(description: "\(function): no cold start measured")
        }
        toNext.append(initDuration)
        toResponse.append(answered)
        lambda.stopProcess()
    }
    return ColdStart(toNext: median(toNext), toResponse: median(toResponse))
}

func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }

func ms(_ duration: Duration) -> String { String(format: "%.1f ms", duration / .milliseconds(1)) }

func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

do {
    let zips = try FileManager.default.contentsOfDirectory(atPath: dist).filter { $0.hasSuffix(".zip") }.sorted()
    guard !zips.isEmpty else { throw BenchmarkError(description: "no zips in \(dist): run make package first") }
    let tools = ToolRunner()
    let unshare = try tools.locate(.unshare)
    print("Median of \(starts) cold starts each; the domain functions get an event they refuse without calling AWS.\n")
    print("| function | zip | unzipped | how it runs | to first /next | to first response |")
    print("|---|---:|---:|---|---:|---:|")
    for zip in zips {
        let function = String(zip.dropLast(4))
        let zipBytes =
            (try FileManager.default.attributesOfItem(atPath: "\(dist)/\(zip)")[.size] as? NSNumber)?.intValue ?? 0
        let root = try EmptyRoot(zip: "\(dist)/\(zip)")
        defer { try? root.remove() }
        let unzipped = root.contents().reduce(0) { total, path in
            total
                + ((try? FileManager.default.attributesOfItem(atPath: "\(root.path)/\(path)"))?[.type]
                    as? FileAttributeType == .typeRegular
                    ? ((try? FileManager.default.attributesOfItem(atPath: "\(root.path)/\(path)"))?[.size] as? NSNumber)?
                        .intValue ?? 0 : 0)
        }
        let binary = "\(binaries)/\(function)"
        let packaged = try measure(function, command: try root.command())
        let direct = try measure(function, command: [binary])
        let launcher = try measure(function, command: [unshare, "--mount", "--mount-proc=/proc", binary])
        let binaryBytes = (try FileManager.default.attributesOfItem(atPath: binary)[.size] as? NSNumber)?.intValue ?? 0
        print(
            "| \(function) | \(mb(zipBytes)) | \(mb(unzipped)) | zip, chrooted empty root | \(ms(packaged.toNext)) | \(ms(packaged.toResponse)) |"
        )
        print(
            "| \(function) | | \(mb(binaryBytes)) | unpackaged binary, this machine | \(ms(direct.toNext)) | \(ms(direct.toResponse)) |"
        )
        print(
            "| \(function) | | | unpackaged, through unshare (launcher cost) | \(ms(launcher.toNext)) | \(ms(launcher.toResponse)) |"
        )
    }
} catch {
    FileHandle.standardError.write(Data("PackageBenchmark: \(error)\n".utf8))
    exit(1)
}
