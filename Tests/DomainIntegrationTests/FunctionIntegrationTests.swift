import AWSDynamoDB
import AWSSQS
import CloudEvents
import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaTesting
import Synchronization
import TestSupport
import Testing

/// Each function as a real bootstrap process (through `lambda-local invoke` or the emulator
/// library), against moto, with the sample events in events/.
@Suite(.serialized) struct FunctionIntegrationTests {
    /// events/process-mixed-with-duplicate.json: 6 messages (raw, SNS, EventBridge), 5 events.
    let mixedBatch = "events/process-mixed-with-duplicate.json"

    func uniqueEvents(_ file: String) throws -> [CloudEvent] {
        let batch = try JSONDecoder().decode(
            SQSEvent.self, from: Data(try sampleEvent(String(file.dropFirst("events/".count)))))
        var seen: [String: CloudEvent] = [:]
        for message in batch.records {
            let event = try message.receivedCloudEvent().event
            seen[event.id] = event
        }
        return Array(seen.values)
    }

    func counters(_ aws: AWS, _ table: String) async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for item in try await aws.allItems(table) {
            guard case .s(let pk)? = item["pk"], pk.hasPrefix("COUNTER#"), case .s(let sk)? = item["sk"],
                case .n(let count)? = item["count"]
            else { continue }
            result["\(pk) \(sk)"] = Int(count)
        }
        return result
    }

    func expectedCounters(_ events: [CloudEvent]) -> [String: Int] {
        var result: [String: Int] = [:]
        for event in events { result["COUNTER#\(event.type) \(String(event.time!.prefix(16)))", default: 0] += 1 }
        return result
    }

    @Test func processUnderLambdaLocalInvokeCountsEachEventOnceAcrossTwoInvocations() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("events", sortKey: true)
        let environment = ["EVENTS_TABLE": table]
        var metrics: [[String: Any]] = []
        for _ in 0..<2 {
            let result = try lambdaLocalInvoke(
                "process", event: mixedBatch, environment: environment.merging(["METRICS_NAMESPACE": "E2E"]) { $1 })
            #expect(result.status == 0, "\(result.stderr)")
            #expect(batchFailures(Array(result.stdout.utf8)) == [], "\(result.stdout)")
            metrics += try embeddedMetrics(in: result.output)
        }
        // One EMF line per invocation, in CloudWatch's shape, with the invocation's counts:
        // 6 messages of 5 events (one SNS copy of an event also sent raw), then all 6 again.
        try #require(metrics.count == 2, "EMF lines: \(metrics)")
        for line in metrics {
            let aws = try #require(line["_aws"] as? [String: Any])
            #expect(aws["Timestamp"] as? Int != nil)
            let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
            #expect(directive["Namespace"] as? String == "E2E")
            #expect(directive["Dimensions"] as? [[String]] == [["Function"]])
            let names = (directive["Metrics"] as? [[String: String]])?.compactMap { $0["Name"] } ?? []
            #expect(names.allSatisfy { line[$0] is Int }, "a metric without its value: \(line)")
            #expect(line["Function"] as? String == "process")
            #expect(line["ColdStart"] as? Int == 1, "each lambda-local invoke is a new process")
        }
        #expect(metrics[0]["Processed"] as? Int == 5 && metrics[0]["Duplicates"] as? Int == 1, "\(metrics[0])")
        #expect(metrics[1]["Processed"] == nil && metrics[1]["Duplicates"] as? Int == 6, "\(metrics[1])")
        #expect(metrics.allSatisfy { $0["Failed"] == nil })
        let events = try uniqueEvents(mixedBatch)
        #expect(events.count == 5)
        #expect(try await counters(aws, table) == expectedCounters(events))
        let items = try await aws.allItems(table)
        #expect(items.filter { $0["sk"] == .s("EVENT") }.count == 5)
        let record = try #require(try await aws.item(table, ["pk": .s("EVENT#\(events[0].id)"), "sk": "EVENT"]))
        #expect(record["status"] == .s("COMPLETED"))
        #expect(record["payloadHash"] == .s(events[0].payloadHash))
        #expect(record["expiresAt"] != nil)
    }

    @Test func fourProcessesInvokingTheSameBatchAtOnceCountEachEventOnce() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("events", sortKey: true)
        let batch = try sampleEvent("process-mixed-with-duplicate.json")
        let lambdas = try (0..<4).map { _ in try localLambda("process", environment: ["EVENTS_TABLE": table]) }
        defer { for lambda in lambdas { lambda.shutdown() } }
        for lambda in lambdas { _ = lambda.start() }
        let reports = Mutex<[InvocationReport]>([])
        let group = DispatchGroup()
        for lambda in lambdas {
            group.enter()
            Thread {
                let report = lambda.invoke(batch)
                reports.withLock { $0.append(report) }
                group.leave()
            }.start()
        }
        group.wait()
        // A loser of a race may be told to retry (a transaction conflict): SQS would redeliver.
        for report in reports.withLock({ $0 }) {
            #expect(report.isSuccess, "\(report.result)")
            if let failed = batchFailures(report.payload), !failed.isEmpty {
                let retry = lambdas[0].invoke(batch)
                #expect(batchFailures(retry.payload) == [])
            }
        }
        let events = try uniqueEvents(mixedBatch)
        #expect(try await counters(aws, table) == expectedCounters(events))
        #expect(try await aws.allItems(table).filter { $0["sk"] == .s("EVENT") }.count == events.count)
    }

    @Test func storeUnderLambdaLocalInvokeKeepsEachEventOnceVerbatim() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("audit", sortKey: true)
        for _ in 0..<2 {
            let result = try lambdaLocalInvoke(
                "store", event: mixedBatch, environment: ["AUDIT_TABLE": table, "RETENTION_DAYS": "30"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(batchFailures(Array(result.stdout.utf8)) == [], "\(result.stdout)")
        }
        let items = try await aws.allItems(table)
        #expect(items.count == 5)
        #expect(items.allSatisfy { $0["sk"] == .s("ORIGINAL") })
        let sns = try JSONDecoder().decode(SQSEvent.self, from: Data(try sampleEvent("sqs-sns-notification.json")))
            .records[0]
        let received = try sns.receivedCloudEvent()
        let original = try #require(try await aws.item(table, ["pk": .s(received.event.id), "sk": "ORIGINAL"]))
        #expect(original["payload"] == .s(received.verbatim))
        #expect(original["payloadHash"] == .s(received.event.payloadHash))
        guard case .n(let expires)? = original["expiresAt"], let expiresAt = Int(expires) else {
            Issue.record("no TTL")
            return
        }
        #expect(abs(expiresAt - Int(Date().timeIntervalSince1970) - 30 * 86_400) < 600)
    }

    @Test func storeKeepsAConflictingPayloadAside() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("audit", sortKey: true)
        let lambda = try localLambda("store", environment: ["AUDIT_TABLE": table])
        defer { lambda.shutdown() }
        let original = CloudEvent(id: "conflicted", source: "/s", type: "t", data: .integer(1))
        var impostor = original
        impostor.data = .integer(2)
        for event in [original, impostor, impostor] {
            let batch = SQSEvent(records: [.make(body: event.canonicalJSON)])
            let report = lambda.invoke(Array(try JSONEncoder().encode(batch)))
            #expect(batchFailures(report.payload) == [])
        }
        let items = try await aws.allItems(table)
        #expect(
            Set(items.compactMap { if case .s(let sk)? = $0["sk"] { sk } else { nil } }) == [
                "ORIGINAL", "CONFLICT#\(impostor.payloadHash)",
            ])
        let kept = try #require(items.first { $0["sk"] == .s("ORIGINAL") })
        #expect(kept["payload"] == .s(original.canonicalJSON))
    }

    @Test func publishUnderLambdaLocalInvokePublishesOnceAndAnswersTheSameIdAgain() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("idempotency", sortKey: false)
        let topic = try await aws.createTopicWithQueue("events")
        let environment = ["TOPIC_ARN": topic.topicARN, "IDEMPOTENCY_TABLE": table]
        var answers: [String] = []
        for _ in 0..<2 {
            let result = try lambdaLocalInvoke(
                "publish", event: "events/publish-apigw-v2-short-form.json", environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let response = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
            #expect(response["statusCode"] as? Int == 202, "\(result.stdout) \(result.stderr)")
            answers.append(response["body"] as? String ?? "")
        }
        #expect(answers[0] == answers[1])
        let messages = try await aws.drain(topic.queueURL)
        #expect(messages.count == 1)
        let notification = try JSONDecoder().decode(
            SNSNotification.self, from: Data(try #require(messages.first?.body).utf8))
        let event = try CloudEvent(validating: try JSONValue(parsing: Data(notification.message.utf8)))
        #expect(answers[0] == #"{"id":"\#(event.id)"}"#)
        #expect(event.type == "inventory.alert")
        #expect(event.authContext == .init(type: "app_user", id: "user-42"))
        #expect(notification.messageAttributes?["type"]?.value == "inventory.alert")

        // A complete CloudEvent over the REST API, to the same topic.
        let rest = try lambdaLocalInvoke(
            "publish", event: "events/publish-apigw-v1-cloudevent.json", environment: environment)
        #expect(rest.stdout.contains(#""statusCode":202"#), "\(rest.stdout)")
        #expect(try await aws.drain(topic.queueURL).count == 1)
    }

    @Test func notifyUnderLambdaLocalInvokeNotifiesOnceForAFailedPayment() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("idempotency", sortKey: false)
        let topic = try await aws.createTopicWithQueue("notifications")
        let environment = ["NOTIFICATIONS_TOPIC_ARN": topic.topicARN, "IDEMPOTENCY_TABLE": table]
        for _ in 0..<2 {
            let result = try lambdaLocalInvoke("notify", event: mixedBatch, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(batchFailures(Array(result.stdout.utf8)) == [], "\(result.stdout)")
        }
        let messages = try await aws.drain(topic.queueURL)
        #expect(messages.count == 1, "only payment.failed is notifiable by default")
        let notification = try JSONDecoder().decode(
            SNSNotification.self, from: Data(try #require(messages.first?.body).utf8))
        #expect(notification.subject?.hasPrefix("[FAILED] payment.failed") == true)
    }

    @Test func aFunctionWithoutItsConfigurationFailsInitNamingTheVariable() throws {
        let output = OutputCapture()
        let lambda = try localLambda("process", environment: [:], output: output)
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array("{}".utf8))
        guard case .initError(let error) = report.result else {
            Issue.record("expected an init failure, got \(report.result)")
            return
        }
        #expect(error.errorMessage.contains("EVENTS_TABLE is not set"))
    }
}
