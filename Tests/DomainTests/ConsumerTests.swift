import AWSCore
import AWSDynamoDB
import AWSSNS
import CloudEvents
import EventProcessing
import Foundation
import Idempotency
import IdempotencyTesting
import LambdaEvents
import LambdaRuntime
import LambdaTesting
import NotifyFunction
import ProcessFunction
import StoreFunction
import Synchronization
import Testing
import UTCTime

func invoke<H: LambdaHandler>(_ handler: H, _ batch: SQSEvent, logs: CapturedLogs = CapturedLogs()) async throws
    -> [String] where H.Event == SQSEvent, H.Output == SQSBatchResponse
{
    try await LambdaTest.invoke(handler, encoding: batch, context: .testing(logs: logs)).decode(
        as: SQSBatchResponse.self
    )
    .batchItemFailures.map(\.itemIdentifier)
}

/// The counter increments the committed effects add up to, by counter key.
func counters(_ store: InMemoryIdempotencyStore) -> [String: Int] {
    var result: [String: Int] = [:]
    for commit in store.commits {
        for update in commit.effects.compactMap(\.update) {
            guard case .s(let pk)? = update.key["pk"], case .s(let sk)? = update.key["sk"] else { continue }
            result["\(pk) \(sk)", default: 0] += 1
        }
    }
    return result
}

@Suite struct ProcessTests {
    @Test func eachNewEventIsRecordedAndCountedOnceWhateverCarriesIt() async throws {
        let store = InMemoryIdempotencyStore()
        let handler = ProcessHandler(store: store, eventsTable: "events")
        let a = cloudEvent(id: "a")
        let b = cloudEvent(id: "b", type: "payment.failed")
        let batch = SQSEvent(records: [
            .make(body: a),
            .carrying(SNSNotification.make(message: b, urlKeyCasing: .http)),
            .carrying(
                EventBridgeEvent<JSONValue>.make(
                    detailType: "order.created", source: "/shop/orders", detail: try parse(a))),
        ])
        #expect(try await invoke(handler, batch) == [])
        #expect(
            counters(store) == [
                "COUNTER#order.created 2024-05-01T12:00": 1, "COUNTER#payment.failed 2024-05-01T12:00": 1,
            ])
        let record = try #require(store.commits.first)
        #expect(record.key == "a")
        #expect(record.recordAttributes["type"] == .s("order.created"))
        #expect(record.recordAttributes["carrier"] == .s("raw"))
        guard let update = record.effects[0].update else {
            Issue.record("no counter update")
            return
        }
        #expect(update.updateExpression == "ADD #count :one SET #rollupMinute = :minute")
        #expect(update.expressionAttributeValues?[":minute"] == .s("2024-05-01T12:00"))
        #expect(update.tableName == "events")

        // The same batch again: nothing more.
        #expect(try await invoke(handler, batch) == [])
        #expect(store.commits.count == 2)
    }

    @Test func anEventWithoutTimeIsCountedInTheMinuteItIsProcessed() async throws {
        let store = InMemoryIdempotencyStore()
        let handler = ProcessHandler(
            store: store, eventsTable: "events", now: { UTCTime(secondsSince1970: 1_714_564_859) })
        let body = CanonicalJSON.string(CloudEvent(id: "x", source: "/s", type: "t", data: .integer(1)).json)
        #expect(try await invoke(handler, .make(bodies: [body])) == [])
        #expect(counters(store) == ["COUNTER#t 2024-05-01T12:00": 1])
    }

    @Test func undecodableAndConflictingMessagesFailAndFIFOOrderHolds() async throws {
        let store = InMemoryIdempotencyStore()
        let handler = ProcessHandler(store: store, eventsTable: "events")
        #expect(try await invoke(handler, .make(bodies: [cloudEvent(id: "c")])) == [])
        let batch = SQSEvent.makeFIFO([
            (group: "g", body: cloudEvent(id: "c", data: .string("different"))),  // same id, other payload
            (group: "g", body: cloudEvent(id: "d")),
            (group: "h", body: "{}"),
            (group: "i", body: cloudEvent(id: "e")),
        ])
        let logs = CapturedLogs()
        let failed = try await invoke(handler, batch, logs: logs)
        #expect(failed == Array(batch.records.prefix(3).map(\.messageID)))
        #expect(store.commits.map(\.key) == ["c", "e"])
        let conflict = try #require(logs.jsonLines.first { $0["message"] as? String == "failed" })
        #expect(conflict["correlationId"] as? String == "c")
        #expect((conflict["error"] as? String)?.contains("different payload") == true)
    }

    @Test func configurationNamesTheMissingTable() {
        let error = #expect(throws: ConfigurationError.self) { try ProcessConfiguration(environment: [:]) }
        #expect(
            error?.description
                == "EVENTS_TABLE is not set: it names the DynamoDB table of processed-event records and counters")
    }
}

@Suite struct StoreTests {
    @Test func everyEventIsKeptOnceVerbatimWithItsHashAndRetention() async throws {
        let audit = InMemoryAuditStore()
        let now = UTCTime(secondsSince1970: 1_714_564_800)
        let handler = StoreHandler(store: audit, retentionDays: 30, now: { now })
        let body =
            "{ \"specversion\": \"1.0\", \"id\": \"a\", \"source\": \"/s\", \"type\": \"t\", \"data\": {\"b\": 1, \"a\": 2} }"
        #expect(try await invoke(handler, .make(bodies: [body])) == [])
        let original = try #require(audit.items["a"]?["ORIGINAL"])
        #expect(original.payload == body)
        #expect(original.payloadHash == (try CloudEvent(validating: try parse(body))).payloadHash)
        #expect(original.expiresAt == 1_714_564_800 + 30 * 86_400)

        // The same event again, through SNS and re-spelled: a no-op.
        let logs = CapturedLogs()
        let respelled = CanonicalJSON.string(try parse(body))
        #expect(
            try await invoke(
                handler, SQSEvent(records: [.carrying(SNSNotification.make(message: respelled, urlKeyCasing: .http))]),
                logs: logs) == [])
        #expect(audit.items["a"]?.count == 1)
        #expect(audit.items["a"]?["ORIGINAL"]?.payload == body)
        #expect(
            logs.jsonLines.contains {
                ($0["message"] as? String)?.hasPrefix("duplicate") == true && $0["correlationId"] as? String == "a"
            })
    }

    @Test func aDifferentPayloadUnderAKnownIdIsKeptAsideAndLogged() async throws {
        let audit = InMemoryAuditStore()
        let handler = StoreHandler(store: audit, retentionDays: 365)
        let original = cloudEvent(id: "a")
        let impostor = cloudEvent(id: "a", data: .string("other"))
        #expect(try await invoke(handler, .make(bodies: [original])) == [])
        let logs = CapturedLogs()
        #expect(try await invoke(handler, .make(bodies: [impostor, impostor]), logs: logs) == [])
        let items = try #require(audit.items["a"])
        #expect(items["ORIGINAL"]?.payload == original)
        let conflictHash = try CloudEvent(validating: try parse(impostor)).payloadHash
        #expect(items["CONFLICT#\(conflictHash)"]?.payload == impostor)
        #expect(items.count == 2)
        let warnings = logs.jsonLines.filter { ($0["message"] as? String)?.hasPrefix("conflict") == true }
        #expect(warnings.count == 2)
        #expect(warnings.first?["level"] as? String == "WARN")
        #expect(warnings.first?["correlationId"] as? String == "a")
    }

    @Test func configurationDefaultsAndErrors() throws {
        #expect(
            try StoreConfiguration(environment: ["AUDIT_TABLE": "audit"])
                == StoreConfiguration(auditTable: "audit", retentionDays: 365))
        let error = #expect(throws: ConfigurationError.self) {
            try StoreConfiguration(environment: ["AUDIT_TABLE": "audit", "RETENTION_DAYS": "a year"])
        }
        #expect(error?.variable == "RETENTION_DAYS")
    }
}

@Suite struct NotifyTests {
    func handler(
        store: InMemoryIdempotencyStore = InMemoryIdempotencyStore(), sns: RecordingSNS, breaker: CircuitBreaker? = nil,
        types: String = NotifyConfiguration.defaultNotifyTypes
    ) throws -> NotifyHandler {
        let configuration = try NotifyConfiguration(environment: [
            "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications", "IDEMPOTENCY_TABLE": "idem",
            "NOTIFY_TYPES": types,
        ])
        return NotifyHandler(
            store: store, sns: sns, notificationsTopicARN: configuration.notificationsTopicARN,
            notifyTypes: configuration.notifyTypes, circuitBreaker: breaker ?? sns.breaker)
    }

    @Test func onlyNotifiableTypesAreNotifiedAndEachOnlyOnce() async throws {
        let store = InMemoryIdempotencyStore(nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let sns = RecordingSNS()
        let notify = try handler(store: store, sns: sns)
        let batch = SQSEvent.make(bodies: [
            cloudEvent(id: "1", type: "order.created"), cloudEvent(id: "2", type: "payment.failed"),
            cloudEvent(id: "3", type: "inventory.alert"),
        ])
        #expect(try await invoke(notify, batch) == [])
        #expect(try await invoke(notify, batch) == [])
        #expect(sns.published.count == 2)
        let first = try #require(sns.published.first)
        #expect(first.topicARN == "arn:aws:sns:us-east-1:123456789012:notifications")
        #expect(first.subject == "[FAILED] payment.failed: ord-1")
        #expect(first.message.hasPrefix("FAILED: payment.failed for ord-1\n\nsource:   /shop/orders\n"))
        #expect(first.message.contains("event id: 2"))
        #expect(first.messageAttributes?["type"] == .string("payment.failed"))
        #expect(store.record(for: "notify#2")?.status == .completed)
        #expect(store.record(for: "notify#1") == nil)
    }

    @Test func anEventInProgressElsewhereIsARetryableFailure() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let store = InMemoryIdempotencyStore(nowMilliseconds: now)
        let sns = RecordingSNS()
        let body = cloudEvent(id: "9", type: "x.alert")
        _ = try await store.begin(
            key: "notify#9", payloadHash: try CloudEvent(validating: try parse(body)).payloadHash,
            inProgressExpiry: now + 60_000, deadline: nil)
        let batch = SQSEvent.make(bodies: [body])
        #expect(try await invoke(try handler(store: store, sns: sns), batch) == batch.records.map(\.messageID))
        #expect(sns.published.isEmpty)
        store.advance(by: .seconds(61))
        #expect(try await invoke(try handler(store: store, sns: sns), batch) == [])
        #expect(sns.published.count == 1)
    }

    @Test func whileTheCircuitIsOpenTheRestOfTheBatchFailsUnsent() async throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(
            endpoint: "https://sns.test", configuration: .init(failureThreshold: 2, coolDown: .seconds(30)),
            now: { clock.now })
        let sns = RecordingSNS(breaker: breaker)
        sns.setFailing(true)
        let store = InMemoryIdempotencyStore(nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let notify = try handler(store: store, sns: sns)
        let batch = SQSEvent.make(bodies: (1...5).map { cloudEvent(id: "\($0)", type: "disk.alert") })
        let logs = CapturedLogs()
        #expect(try await invoke(notify, batch, logs: logs) == batch.records.map(\.messageID))
        // Two failures opened the circuit; the third message found it open and stopped the
        // batch, the last two were not tried.
        let stop = try #require(
            logs.jsonLines.first { ($0["message"] as? String)?.hasPrefix("failed; the rest of the batch") == true })
        #expect(stop["correlationId"] as? String == "3")
        #expect(logs.jsonLines.filter { ($0["message"] as? String)?.hasPrefix("not tried") == true }.count == 2)
        #expect(store.records.isEmpty, "no record is left to block the retry")

        // SNS is back and the cool-down over: the redelivered batch goes out, each once.
        sns.setFailing(false)
        clock.advance(by: .seconds(31))
        #expect(try await invoke(notify, batch) == [])
        #expect(sns.published.count == 5)
    }

    @Test func typePatternsAreGlobs() {
        #expect(EventTypePattern("*.alert").matches("inventory.alert"))
        #expect(!EventTypePattern("*.alert").matches("inventory.alerts"))
        #expect(EventTypePattern("payment.*").matches("payment.failed"))
        #expect(EventTypePattern("a?c").matches("abc"))
        #expect(EventTypePattern("*").matches(""))
        #expect(!EventTypePattern("order.created").matches("order.created.v2"))
    }

    @Test func configurationNamesWhatIsWrong() throws {
        let missing = #expect(throws: ConfigurationError.self) {
            try NotifyConfiguration(environment: ["IDEMPOTENCY_TABLE": "idem"])
        }
        #expect(missing?.variable == "NOTIFICATIONS_TOPIC_ARN")
        let empty = #expect(throws: ConfigurationError.self) {
            try NotifyConfiguration(environment: [
                "NOTIFICATIONS_TOPIC_ARN": SampleAWS.topicARN, "IDEMPOTENCY_TABLE": "idem", "NOTIFY_TYPES": " , ",
            ])
        }
        #expect(empty?.variable == "NOTIFY_TYPES")
        let configured = try NotifyConfiguration(environment: [
            "NOTIFICATIONS_TOPIC_ARN": SampleAWS.topicARN, "IDEMPOTENCY_TABLE": "idem",
        ])
        #expect(configured.notifyTypes == [EventTypePattern("*.alert"), EventTypePattern("*.failed")])
    }

    @Test func subjectsFitSNSLimits() {
        let event = CloudEvent(
            id: "1", source: "/s", type: "x.alert", subject: "café " + String(repeating: "y", count: 200))
        let subject = try! #require(
            NotifyHandler.notification(for: event, topicARN: "arn:aws:sns:us-east-1:1:n").subject)
        #expect(subject.count == 100)
        #expect(subject.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
    }
}

/// A clock the test moves.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 += duration } }
}
