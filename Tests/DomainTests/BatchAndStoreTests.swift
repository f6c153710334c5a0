import AWSCore
import AWSDynamoDB
import CloudEvents
import EventProcessing
import Foundation
import Idempotency
import IdempotencyTesting
import LambdaEvents
import LambdaRuntime
import LambdaTesting
import Synchronization
import Testing

func cloudEvent(id: String, type: String = "order.created", data: JSONValue = .object(["n": .integer(1)])) -> String {
    CanonicalJSON.string(
        CloudEvent(
            id: id, source: "/shop/orders", type: type, subject: "ord-1", time: "2024-05-01T12:00:30Z",
            dataContentType: "application/json", data: data
        ).json)
}

struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
struct Halt: BatchStoppingError, CustomStringConvertible { var description: String { "halt" } }

@Suite struct CloudEventBatchTests {
    @Test func onlyFailedMessagesAreReportedAndUndecodableOnesFailWithTheirMessageId() async throws {
        let logs = CapturedLogs()
        let context = LambdaContext.testing(logs: logs)
        let batch = SQSEvent(records: [
            .make(body: cloudEvent(id: "a"), messageID: "m-a"),
            .make(body: "not json", messageID: "m-bad"),
            .make(body: cloudEvent(id: "b"), messageID: "m-b"),
        ])
        let seen = Mutex<[String]>([])
        let response = await CloudEventBatch.process(batch, logger: context.logger) { received, logger in
            seen.withLock { $0.append(received.event.id) }
            logger.info("handled")
            if received.event.id == "b" { throw Boom() }
        }
        #expect(response.batchItemFailures.map(\.itemIdentifier) == ["m-bad", "m-b"])
        #expect(seen.withLock { $0 } == ["a", "b"])
        let lines = logs.jsonLines
        let bad = try #require(lines.first { $0["message"] as? String == "the message does not carry a CloudEvent" })
        #expect(bad["messageId"] as? String == "m-bad")
        let handled = lines.filter { $0["message"] as? String == "handled" }
        #expect(handled.map { $0["correlationId"] as? String } == ["a", "b"])
        let failed = try #require(lines.first { $0["message"] as? String == "failed" })
        #expect(failed["correlationId"] as? String == "b")
        #expect(failed["error"] as? String == "boom")
    }

    @Test func aFailureInAFIFOGroupFailsTheRestOfThatGroupOnly() async throws {
        let batch = SQSEvent.makeFIFO([
            (group: "g1", body: cloudEvent(id: "1")), (group: "g2", body: cloudEvent(id: "2")),
            (group: "g1", body: cloudEvent(id: "3")), (group: "g2", body: cloudEvent(id: "4")),
            (group: "g1", body: cloudEvent(id: "5")),
        ])
        let seen = Mutex<[String]>([])
        let response = await CloudEventBatch.process(batch, logger: LambdaContext.testing(logs: CapturedLogs()).logger)
        { received, _ in
            seen.withLock { $0.append(received.event.id) }
            if received.event.id == "1" { throw Boom() }
        }
        let ids = batch.records.map(\.messageID)
        #expect(response.batchItemFailures.map(\.itemIdentifier) == [ids[0], ids[2], ids[4]])
        #expect(seen.withLock { $0 } == ["1", "2", "4"])
    }

    @Test func aBatchStoppingErrorFailsEveryLaterMessageUntried() async throws {
        let batch = SQSEvent.make(bodies: (1...4).map { cloudEvent(id: "\($0)") })
        let seen = Mutex<[String]>([])
        let response = await CloudEventBatch.process(batch, logger: LambdaContext.testing(logs: CapturedLogs()).logger)
        { received, _ in
            seen.withLock { $0.append(received.event.id) }
            if received.event.id == "2" { throw Halt() }
        }
        #expect(response.batchItemFailures.map(\.itemIdentifier) == Array(batch.records.map(\.messageID).dropFirst()))
        #expect(seen.withLock { $0 } == ["1", "2"])
    }
}

@Suite struct EnvironmentReaderTests {
    @Test func errorsNameTheVariable() throws {
        let reader = EnvironmentReader(["EMPTY": "  ", "BAD_TABLE": "a b", "BAD_TOPIC": "events", "N": "-3"])
        #expect(throws: ConfigurationError(variable: "EMPTY", problem: "is not set: it names the table")) {
            try reader.required("EMPTY", "the table")
        }
        #expect((try? reader.tableName("BAD_TABLE", "t")) == nil)
        let topic = #expect(throws: ConfigurationError.self) { try reader.topicARN("BAD_TOPIC", "the topic") }
        #expect(topic?.description == #"BAD_TOPIC is "events", not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"#)
        #expect(throws: ConfigurationError.self) { try reader.positiveInteger("N", default: 1) }
        #expect(try reader.positiveInteger("UNSET", default: 365) == 365)
    }
}

@Suite struct TwoPhaseIdempotencyTests {
    let deadline = InvocationDeadline(epochMilliseconds: 1_700_000_003_000, instant: .now + .seconds(3))

    @Test func aNewKeyRunsTheEffectOnceAndADuplicateReplaysItsResult() async throws {
        let store = InMemoryIdempotencyStore()
        let runs = Mutex(0)
        let first = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) {
            () async throws -> String in
            runs.withLock { $0 += 1 }
            return "message-1"
        }
        #expect(first.value == "message-1")
        #expect(!first.isReplay)
        #expect(store.record(for: "k")?.status == .completed)
        #expect(store.record(for: "k")?.result == #""message-1""#)
        let second = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) {
            () async throws -> String in
            runs.withLock { $0 += 1 }
            return "message-2"
        }
        #expect(second.isReplay)
        #expect(second.value == "message-1")
        #expect(runs.withLock { $0 } == 1)
    }

    @Test func aFailedEffectDeletesItsRecordSoARetryRuns() async throws {
        let store = InMemoryIdempotencyStore()
        await #expect(throws: Boom.self) {
            _ = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) {
                () async throws -> String in throw Boom()
            }
        }
        #expect(store.record(for: "k") == nil)
        let retry = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) { "done" }
        #expect(retry.value == "done")
    }

    @Test func aKeyInProgressIsARetryableErrorUntilItsExpiryThenTheRetryRuns() async throws {
        let store = InMemoryIdempotencyStore(nowMilliseconds: 1_700_000_000_000)
        // A process that died mid-effect: its INPROGRESS record stays.
        #expect(
            try await store.begin(key: "k", payloadHash: "h", inProgressExpiry: 1_700_000_003_000, deadline: nil)
                == .started)
        let error = await #expect(throws: IdempotencyError.self) {
            _ = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) { "second" }
        }
        #expect(error == .inProgress(key: "k", until: 1_700_000_003_000))
        #expect(error?.isRetryable == true)
        store.advance(by: .seconds(4))
        let retry = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) { "second" }
        #expect(retry.value == "second")
        #expect(!retry.isReplay)
    }

    @Test func aKeyReusedWithAnotherPayloadIsAnErrorOfItsOwn() async throws {
        let store = InMemoryIdempotencyStore()
        _ = try await store.idempotent(key: "k", payloadHash: "h1", deadline: deadline) { 1 }
        let error = await #expect(throws: IdempotencyError.self) {
            _ = try await store.idempotent(key: "k", payloadHash: "h2", deadline: deadline) { 2 }
        }
        #expect(error == .payloadMismatch(key: "k", storedHash: "h1", receivedHash: "h2"))
        #expect(error?.isRetryable == false)
    }

    @Test func aCompletedKeyIsFreeAgainAfterItsTimeToLive() async throws {
        let store = InMemoryIdempotencyStore(timeToLive: .seconds(60))
        _ = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) { 1 }
        store.advance(by: .seconds(61))
        let again = try await store.idempotent(key: "k", payloadHash: "h", deadline: deadline) { 2 }
        #expect(again.value == 2)
    }
}

@Suite struct OneStepIdempotencyTests {
    @Test func theRecordAndTheEffectsAreCommittedOnce() async throws {
        let store = InMemoryIdempotencyStore()
        let effect = DynamoDB.TransactWriteItem.update(
            .init(key: ["pk": "c"], updateExpression: "ADD #c :one", tableName: "t"))
        let commit = IdempotentCommit(key: "e-1", payloadHash: "h", effects: [effect])
        #expect(try await store.commitOnce(commit, deadline: nil) == .committed)
        guard case .duplicate = try await store.commitOnce(commit, deadline: nil) else {
            Issue.record("expected a duplicate")
            return
        }
        #expect(store.commits == [commit])
        var other = commit
        other.payloadHash = "h2"
        await #expect(throws: IdempotencyError.payloadMismatch(key: "e-1", storedHash: "h", receivedHash: "h2")) {
            _ = try await store.commitOnce(other, deadline: nil)
        }
    }
}
