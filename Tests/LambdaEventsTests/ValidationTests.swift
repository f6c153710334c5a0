import Foundation
import LambdaEvents
import LambdaTesting
import Testing

@Suite("Validation and events/")
struct ValidationTests {
    /// Each malformed sample and the path its error must name.
    static let malformed: [(file: String, kind: EventKind?, path: String)] = [
        ("malformed-sqs-missing-body.json", .sqs, "$.Records[1].body"),
        ("malformed-sqs-bad-timestamp.json", .sqs, "$.Records[0].attributes.SentTimestamp"),
        ("malformed-sqs-receive-count.json", .sqs, "$.Records[2].attributes.ApproximateReceiveCount"),
        ("malformed-sqs-sns-notification.json", .sqs, "$.Records[0].body.Timestamp"),
        ("malformed-sns-attribute-value.json", .sns, "$.Records[0].Sns.MessageAttributes.priority.Value"),
        ("malformed-eventbridge-resources.json", .eventbridge, "$.resources"),
        ("malformed-apigw-v2-time-epoch.json", .apigwV2Request, "$.requestContext.timeEpoch"),
        ("malformed-apigw-v1-multi-value-header.json", .apigwV1Request, "$.multiValueHeaders['Content-Type']"),
        ("malformed-apigw-websocket-event-type.json", .apigwWebSocketRequest, "$.requestContext.eventType"),
        ("malformed-not-an-event.json", nil, "$"),
    ]

    @Test("a malformed event's error names the path of the bad field", arguments: malformed.map(\.file))
    func malformedNamesPath(file: String) throws {
        let expected = try #require(Self.malformed.first { $0.file == file })
        let data = try Data(contentsOf: sampleEventsDirectory.appendingPathComponent(file))
        let report = EventValidator.validate(data)
        #expect(!report.isValid)
        #expect(report.kind == expected.kind)
        #expect(report.errors.map(\.path) == [expected.path])
    }

    /// Timestamps beyond Int64 nanoseconds (the years 1678-2262) overflowed UTCTime and stopped
    /// the process; found by CloudEventsFuzz. Each is now an error at its path.
    @Test(arguments: [
        ("sqs-raw-batch.json", "\"1795422825441\"", "\"9999999999999999\"", "$.Records[0].attributes.SentTimestamp"),
        ("eventbridge.json", "\"time\" : \"2026-11-23T08:33:45Z\"", "\"time\" : \"9999-11-23T08:33:45Z\"", "$.time"),
    ])
    func timestampsBeyondTheRangeAreErrorsAtTheirPath(file: String, original: String, replacement: String, path: String)
        throws
    {
        let text = try String(contentsOf: sampleEventsDirectory.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains(original))
        let report = EventValidator.validate(Data(text.replacing(original, with: replacement, maxReplacements: 1).utf8))
        #expect(!report.isValid)
        #expect(report.errors.map(\.path) == [path])
    }

    @Test func everyMalformedFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: sampleEventsDirectory.path)
            .filter { $0.hasPrefix("malformed-") }
        #expect(Set(files) == Set(Self.malformed.map(\.file)))
    }

    @Test func everySampleEventValidatesWithoutIssues() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: sampleEventsDirectory.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix("malformed-") }
        #expect(files.count >= 10)
        for file in files {
            let report = EventValidator.validate(
                try Data(contentsOf: sampleEventsDirectory.appendingPathComponent(file)))
            #expect(report.isValid && report.issues.isEmpty, "\(file): \(report.issues)")
        }
    }

    @Test func samplesCarryWhatTheirNamesSay() throws {
        func report(_ file: String) throws -> EventValidationReport {
            EventValidator.validate(try Data(contentsOf: sampleEventsDirectory.appendingPathComponent(file)))
        }
        #expect(try report("sqs-sns-notification.json").nestedKinds.values.allSatisfy { $0 == .snsNotification })
        #expect(try !report("sqs-sns-notification.json").nestedKinds.isEmpty)
        #expect(try report("sqs-eventbridge.json").nestedKinds.values.contains(.eventbridge))
        let fifo = try JSONDecoder().decode(
            SQSEvent.self, from: Data(contentsOf: sampleEventsDirectory.appendingPathComponent("sqs-fifo-batch.json")))
        #expect(fifo.records.allSatisfy { $0.attributes.messageGroupID != nil && $0.eventSourceARN.hasSuffix(".fifo") })
    }

    @Test("generated events validate and decode", arguments: EventKind.allCases)
    func generatedEventsValidate(kind: EventKind) throws {
        let data = try EventGenerator.generate(kind)
        let report = EventValidator.validate(data)
        #expect(report.kind == kind)
        #expect(report.isValid && report.issues.isEmpty, "\(report.issues)")
        _ = try kind.decodeAndReencode(data)
    }

    @Test("generated SQS events carry what was asked", arguments: EventGenerationOptions.SQSPayload.allCases)
    func generatedSQSPayloads(payload: EventGenerationOptions.SQSPayload) throws {
        var options = EventGenerationOptions()
        options.sqsPayload = payload
        options.count = 3
        options.cloudEventType = "payment.failed"
        options.queueARN = "arn:aws:sqs:eu-west-1:111122223333:payments"
        let data = try EventGenerator.generate(.sqs, options: options)
        let event = try JSONDecoder().decode(SQSEvent.self, from: data)
        #expect(event.records.count == 3)
        #expect(event.records.allSatisfy { $0.awsRegion == "eu-west-1" && $0.queueName == "payments" })
        let report = EventValidator.validate(data)
        #expect(report.isValid && report.issues.isEmpty)
        switch payload {
        case .raw:
            #expect(report.nestedKinds.isEmpty)
            #expect(try event.records[0].decodeBody(JSONValue.self)["type"] == .string("payment.failed"))
        case .sns:
            #expect(report.nestedKinds.count == 3)
            let notification = try event.records[0].decodeSNSNotification()
            #expect(notification.urlKeyCasing == .http)
            #expect(try notification.decodeMessage(JSONValue.self)["type"] == .string("payment.failed"))
        case .eventbridge:
            let bridged = try event.records[0].decodeEventBridgeEvent(detail: JSONValue.self)
            #expect(bridged.detailType == "payment.failed")
            #expect(bridged.source == "shop.payments")
        }
    }

    @Test func generationRejectsInconsistentOptions() throws {
        var options = EventGenerationOptions()
        options.messageGroupID = "orders"
        options.queueARN = SampleAWS.queueARN
        #expect(throws: EventGenerationError.self) { try EventGenerator.generate(.sqs, options: options) }
        var notJSON = EventGenerationOptions()
        notJSON.body = "plain text"
        #expect(throws: EventGenerationError.self) { try EventGenerator.generate(.eventbridge, options: notJSON) }
    }

    @Test func unknownMembersAreReportedAsWarnings() throws {
        let data = Data(#"{"batchItemFailures":[{"itemIdentifier":"a","reason":"x"}]}"#.utf8)
        let report = EventValidator.validate(data)
        #expect(report.isValid)
        #expect(report.issues.map(\.path) == ["$.batchItemFailures[0].reason"])
        #expect(report.issues.first?.severity == .warning)
    }

    @Test func invalidJSONIsAnError() {
        let report = EventValidator.validate(Data("{\"Records\": [".utf8))
        #expect(!report.isValid)
        #expect(report.errors.first?.path == "$")
    }
}
