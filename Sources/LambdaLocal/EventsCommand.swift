import ArgumentParser
import Foundation
import LambdaEventSamples
import LambdaEvents

/// `lambda-local events`: sample events, like `sam local generate-event`, and a strict checker.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List, generate and validate sample AWS events.",
        subcommands: [List.self, Generate.self, Validate.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the event kinds and the sample files in events/.")

        @Option(help: "The folder of sample events.")
        var directory = "events"

        func run() throws {
            print("Kinds (for `events generate KIND`):")
            let width = EventKind.allCases.map(\.rawValue.count).max() ?? 0
            for kind in EventKind.allCases {
                print(
                    "  \(kind.rawValue.padding(toLength: width, withPad: " ", startingAt: 0))  \(kind.summary) [\(kind.modelName)]"
                )
            }
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: directory))?
                .filter { $0.hasSuffix(".json") }.sorted() ?? []
            guard !files.isEmpty else { return }
            print("\nSample events in \(directory)/:")
            for file in files {
                let data = FileManager.default.contents(atPath: "\(directory)/\(file)") ?? Data()
                let kind = (try? JSONValue(parsing: data)).flatMap(EventKind.detect)?.rawValue ?? "unrecognised"
                print("  \(file)  (\(kind))")
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an event of KIND, filled with realistic ids, ARNs and timestamps.",
            discussion: "The default body is a CloudEvents 1.0 JSON event of --type.")

        @Argument(help: "One of: \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: String

        @Option(help: "The message or request body (for EventBridge, the detail JSON).")
        var body: String?

        @Option(help: "Read the body from a file.")
        var bodyFile: String?

        @Option(help: "CloudEvent type of the default body: order.created, payment.failed, inventory.alert.")
        var type = "order.created"

        @Option(help: "SQS: how many messages.")
        var count = 1

        @Option(help: "SQS: the queue's ARN.")
        var queueArn: String?

        @Option(help: "SNS: the topic's ARN.")
        var topicARN: String?

        @Option(help: "SNS: the subject.")
        var subject: String?

        @Option(help: "SQS: what the messages carry: raw, sns (a topic subscription) or eventbridge (a rule target).")
        var carry = "raw"

        @Flag(help: "SQS: a FIFO queue (message group 'orders' unless --group-id).")
        var fifo = false

        @Option(help: "SQS FIFO: the message group id.")
        var groupId: String?

        @Option(help: "SQS: ApproximateReceiveCount (above 1 for a retry).")
        var receiveCount = 1

        @Option(help: "EventBridge: detail-type (default: the CloudEvent type).")
        var detailType: String?

        @Option(help: "EventBridge: source (default: from the CloudEvent source).")
        var source: String?

        @Option(help: "API Gateway: the HTTP method.")
        var method = "POST"

        @Option(help: "API Gateway: the request path.")
        var path = "/events"

        @Option(help: "API Gateway: the route key (v2, WebSocket) or resource (v1).")
        var route: String?

        @Option(name: .customLong("header"), help: "API Gateway: a header, as Name:Value (repeatable).")
        var headers: [String] = []

        @Option(help: "Responses: the status code (authorizer: below 400 allows).")
        var statusCode = 200

        @Option(help: "WebSocket: connect, message or disconnect.")
        var websocketEvent = "message"

        @Option(name: .customLong("failed-id"), help: "SQS batch response: a failed messageId (repeatable).")
        var failedIds: [String] = []

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        func run() throws {
            guard let eventKind = EventKind(rawValue: kind) else {
                throw ValidationError(
                    "unknown kind '\(kind)'; one of: \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var options = EventGenerationOptions()
            if let bodyFile {
                guard let data = FileManager.default.contents(atPath: bodyFile) else {
                    throw ValidationError("cannot read --body-file \(bodyFile)")
                }
                options.body = String(decoding: data, as: UTF8.self)
            } else {
                options.body = body
            }
            options.cloudEventType = type
            options.count = count
            options.queueARN = queueArn
            options.topicARN = topicARN
            options.subject = subject
            guard let payload = EventGenerationOptions.SQSPayload(rawValue: carry) else {
                throw ValidationError("--carry must be raw, sns or eventbridge")
            }
            options.sqsPayload = payload
            options.messageGroupID = groupId ?? (fifo ? "orders" : nil)
            options.receiveCount = receiveCount
            options.detailType = detailType
            options.source = source
            options.method = method
            options.path = path
            options.route = route
            for header in headers {
                guard let colon = header.firstIndex(of: ":") else {
                    throw ValidationError("--header must be Name:Value, got \(header)")
                }
                options.headers[String(header[..<colon])] = String(header[header.index(after: colon)...])
                    .trimmingCharacters(in: .whitespaces)
            }
            options.statusCode = statusCode
            guard let websocket = APIGatewayWebSocketRequestContext.EventType(rawValue: websocketEvent.uppercased())
            else {
                throw ValidationError("--websocket-event must be connect, message or disconnect")
            }
            options.webSocketEventType = websocket
            options.failedMessageIDs = failedIds

            let data: Data
            do {
                data = try EventGenerator.generate(eventKind, options: options)
            } catch let error as EventGenerationError {
                throw ValidationError(error.description)
            }
            if let output {
                try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: output))
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Detect each file's kind, decode it strictly and name the JSON path of anything wrong.",
            discussion: "Exits with status 1 if any file has an error (or, with --strict, a warning).")

        @Argument(help: "Event files.")
        var files: [String]

        @Option(help: "Decode as this kind instead of detecting it.")
        var kind: String?

        @Flag(help: "Fail on warnings too (members the model would drop on re-encoding).")
        var strict = false

        func run() throws {
            let givenKind: EventKind?
            if let kind {
                guard let parsed = EventKind(rawValue: kind) else { throw ValidationError("unknown kind '\(kind)'") }
                givenKind = parsed
            } else {
                givenKind = nil
            }
            var failed = false
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file): cannot read")
                    failed = true
                    continue
                }
                let report = EventValidator.validate(data, as: givenKind)
                let ok = report.isValid && !(strict && !report.issues.isEmpty)
                failed = failed || !ok
                let kind = report.kind.map { "\($0.rawValue) (\($0.modelName))" } ?? "unknown kind"
                let nested =
                    report.nestedKinds.isEmpty
                    ? ""
                    : ", bodies: " + Set(report.nestedKinds.values.map(\.rawValue)).sorted().joined(separator: ", ")
                print("\(file): \(ok ? "valid" : "INVALID") \(kind)\(nested)")
                for issue in report.issues {
                    print("  \(issue)")
                }
            }
            if failed { throw ExitCode.failure }
        }
    }
}
