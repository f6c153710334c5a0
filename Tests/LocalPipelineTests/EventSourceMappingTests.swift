import AWSCore
import AWSSQS
import Foundation
import LambdaEmulator
import Synchronization
import TestSupport
import Testing

@testable import LocalPipeline

/// Records every event it gets (one JSON line per invocation in $RECORD_FILE) and reports as
/// failed every message whose body contains "poison"; a body "crash-batch" fails the whole
/// invocation.
let recordingConsumer = """
    import json, os
    def handler(event, context):
        event["invocationTrace"] = os.environ.get("_X_AMZN_TRACE_ID")
        with open(os.environ["RECORD_FILE"], "a") as f:
            f.write(json.dumps(event) + "\\n")
        if any(r["body"] == "crash-batch" for r in event["Records"]):
            raise RuntimeError("the whole batch fails")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if "poison" in r["body"]]}
    """

final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
}

@Suite struct EventSourceMappingTests {
    struct Fixture {
        var admin: AWSAdmin
        var queueURL: String
        var queueARN: String
        var dlqURL: String
        var recordFile: String
        var lambda: LocalLambda
    }

    func fixture(maxReceiveCount: Int = 2) async throws -> Fixture {
        let admin = AWSAdmin(configuration: try Endpoint.configuration())
        let dlqURL = try await admin.createQueue(name: Endpoint.uniqueName("esm-dlq"), attributes: [:])
        let dlqARN = try #require(try await admin.queueAttributes(url: dlqURL, names: ["QueueArn"])["QueueArn"])
        let queueURL = try await admin.createQueue(
            name: Endpoint.uniqueName("esm"),
            attributes: [
                "VisibilityTimeout": "1",
                "RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":\#(maxReceiveCount)}"#,
            ])
        let queueARN = try #require(try await admin.queueAttributes(url: queueURL, names: ["QueueArn"])["QueueArn"])
        let recordFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "records-\(UUID().uuidString).jsonl"
        ).path
        let lambda = try pythonLambda(recordingConsumer, name: "consumer", environment: ["RECORD_FILE": recordFile])
        return Fixture(
            admin: admin, queueURL: queueURL, queueARN: queueARN, dlqURL: dlqURL, recordFile: recordFile, lambda: lambda
        )
    }

    /// The fixture's queue to its consumer, batches of 10, no batching window.
    func plainMapping(_ fixture: Fixture) -> EventSourceMapping {
        EventSourceMapping(
            configuration: EventSourceMappingConfiguration(
                functionName: "consumer", queueURL: fixture.queueURL, queueARN: fixture.queueARN, batchSize: 10,
                waitTimeSeconds: 1),
            lambdas: [fixture.lambda], sqs: fixture.admin.sqs)
    }

    func records(_ fixture: Fixture) throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: fixture.recordFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func count(_ fixture: Fixture, _ url: String) async throws -> Int {
        let attributes = try await fixture.admin.queueAttributes(
            url: url, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return (Int(attributes["ApproximateNumberOfMessages"] ?? "0") ?? 0)
            + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "0") ?? 0)
    }

    func send(_ fixture: Fixture, _ bodies: [String]) async throws {
        for chunk in stride(from: 0, to: bodies.count, by: 10) {
            let entries = bodies[chunk..<min(chunk + 10, bodies.count)].enumerated().map { index, body in
                SQS.SendMessageBatchRequestEntry(
                    id: "e\(index)", messageBody: body, messageAttributes: ["kind": .string("test")])
            }
            let output = try await fixture.admin.sqs.sendMessageBatch(
                SQS.SendMessageBatchRequest(queueURL: fixture.queueURL, entries: entries))
            #expect(output.failed.isEmpty)
        }
    }

    /// Good messages are deleted after one delivery; reported failures come back and reach
    /// the DLQ after maxReceiveCount; batches never exceed the batch size.
    @Test func deletesOnlyWhatSucceededAndFailuresReachTheDLQ() async throws {
        let fixture = try await fixture()
        defer { fixture.lambda.shutdown() }
        let bodies = (0..<23).map { "good-\($0)" } + ["poison-1", "poison-2"]
        try await send(fixture, bodies)
        let lines = Lines()
        let mapping = EventSourceMapping(
            configuration: EventSourceMappingConfiguration(
                functionName: "consumer", queueURL: fixture.queueURL, queueARN: fixture.queueARN, batchSize: 10,
                maximumBatchingWindow: .seconds(1), waitTimeSeconds: 1),
            lambdas: [fixture.lambda], sqs: fixture.admin.sqs, onBatch: { lines.add($0.line) })
        mapping.start()
        let drained = try await eventually(timeout: .seconds(60)) {
            let queued = try await count(fixture, fixture.queueURL)
            let dead = try await count(fixture, fixture.dlqURL)
            return queued == 0 && dead == 2 ? true : nil
        }
        await mapping.stop()
        #expect(drained == true, "queue not drained: \(lines.lines.withLock { $0 })")

        let events = try records(fixture)
        let delivered = events.flatMap { ($0["Records"] as? [[String: Any]]) ?? [] }
        #expect(events.allSatisfy { (($0["Records"] as? [Any])?.count ?? 0) <= 10 })
        let goodDeliveries = delivered.filter { ($0["body"] as? String)?.hasPrefix("good") == true }
        #expect(goodDeliveries.count == 23, "each good message delivered once")
        #expect(Set(goodDeliveries.compactMap { $0["body"] as? String }).count == 23)
        let poisonDeliveries = delivered.filter { ($0["body"] as? String)?.hasPrefix("poison") == true }
        #expect(poisonDeliveries.count == 4, "each poison message delivered maxReceiveCount (2) times")
        let counts = poisonDeliveries.compactMap { ($0["attributes"] as? [String: String])?["ApproximateReceiveCount"] }
        #expect(counts.sorted() == ["1", "1", "2", "2"])

        let record = try #require(delivered.first)
        #expect(record["eventSource"] as? String == "aws:sqs")
        #expect(record["eventSourceARN"] as? String == fixture.queueARN)
        #expect(record["awsRegion"] as? String == fixture.admin.configuration.region)
        #expect((record["md5OfBody"] as? String)?.count == 32)
        #expect((record["receiptHandle"] as? String)?.isEmpty == false)
        let attributes = try #require(record["attributes"] as? [String: String])
        #expect(
            attributes["SentTimestamp"] != nil && attributes["SenderId"] != nil
                && attributes["ApproximateFirstReceiveTimestamp"] != nil)
        let kind = try #require((record["messageAttributes"] as? [String: [String: Any]])?["kind"])
        #expect(kind["stringValue"] as? String == "test")
        #expect(kind["dataType"] as? String == "String")

        let counted = mapping.counts
        #expect(counted.messagesDeleted == 23)
        #expect(counted.messagesFailed == 4)
    }

    /// As Lambda does, a message sent under a trace is received under it: its AWSTraceHeader
    /// becomes the invocation's trace id.
    @Test func aMessagesTraceHeaderIsTheInvocationsTrace() async throws {
        let fixture = try await fixture()
        defer { fixture.lambda.shutdown() }
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        _ = try await fixture.admin.sqs.sendMessage(
            SQS.SendMessageRequest(
                queueURL: fixture.queueURL, messageBody: "traced",
                messageSystemAttributes: [
                    "AWSTraceHeader": SQS.MessageSystemAttributeValue(stringValue: trace, dataType: "String")
                ]))
        let mapping = plainMapping(fixture)
        mapping.start()
        let event = try await eventually(timeout: .seconds(30)) { try records(fixture).first }
        await mapping.stop()
        let received = try #require(event)
        #expect(received["invocationTrace"] as? String == trace)
        let record = try #require((received["Records"] as? [[String: Any]])?.first)
        #expect((record["attributes"] as? [String: String])?["AWSTraceHeader"] == trace)
    }

    /// A function error deletes nothing: the whole batch comes back.
    @Test func aFunctionErrorKeepsTheWholeBatch() async throws {
        let fixture = try await fixture(maxReceiveCount: 2)
        defer { fixture.lambda.shutdown() }
        try await send(fixture, ["crash-batch"])
        let mapping = plainMapping(fixture)
        mapping.start()
        let moved = try await eventually(timeout: .seconds(60)) {
            try await count(fixture, fixture.dlqURL) == 1 ? true : nil
        }
        await mapping.stop()
        #expect(moved == true)
        #expect(mapping.counts.failedInvocations == 2)
        #expect(mapping.counts.messagesDeleted == 0)
    }

    @Test func lambdasRulesForBatchItemFailures() throws {
        let ids: Set<String> = ["a", "b"]
        func failed(_ payload: String) -> Result<Set<String>, EventSourceMapping.RefusedResponse> {
            EventSourceMapping.failedItems(Array(payload.utf8), batchIDs: ids, reportBatchItemFailures: true)
        }
        #expect(try failed("null").get() == [])
        #expect(try failed("").get() == [])
        #expect(try failed("{}").get() == [])
        #expect(try failed(#"{"batchItemFailures":[]}"#).get() == [])
        #expect(try failed(#"{"batchItemFailures":null}"#).get() == [])
        #expect(try failed(#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#).get() == ["b"])
        // Lambda fails the whole batch for these.
        #expect((try? failed("{not json").get()) == nil)
        #expect((try? failed(#"{"batchItemFailures":[{"itemIdentifier":""}]}"#).get()) == nil)
        #expect((try? failed(#"{"batchItemFailures":[{"itemIdentifier":null}]}"#).get()) == nil)
        #expect((try? failed(#"{"batchItemFailures":[{"id":"a"}]}"#).get()) == nil)
        #expect((try? failed(#"{"batchItemFailures":[{"itemIdentifier":"zzz"}]}"#).get()) == nil)
        // Without ReportBatchItemFailures the answer is not read: success deletes everything.
        #expect(
            try EventSourceMapping.failedItems(
                Array(#"{"batchItemFailures":[{"itemIdentifier":"a"}]}"#.utf8), batchIDs: ids,
                reportBatchItemFailures: false
            ).get() == [])
    }
}
