import AWSCore
import AWSDynamoDB
import Foundation
import Idempotency
import Synchronization
import Testing

/// A DynamoDB client that records requests and answers from a script.
final class ScriptedDynamoDB: DynamoDBClientProtocol {
    enum Call: Sendable {
        case put(DynamoDB.PutItemInput), get(DynamoDB.GetItemInput), delete(DynamoDB.DeleteItemInput), transact(
            DynamoDB.TransactWriteItemsInput)
    }
    private let state = Mutex<(calls: [Call], errors: [any Error], items: [DynamoDBItem])>(([], [], []))

    var calls: [Call] { state.withLock { $0.calls } }
    /// Errors thrown by the next calls, in order, then success.
    func fail(with errors: [any Error]) { state.withLock { $0.errors = errors } }
    /// Items GetItem returns, in order.
    func getReturns(_ items: [DynamoDBItem]) { state.withLock { $0.items = items } }

    private func record(_ call: Call) throws {
        try state.withLock { state in
            state.calls.append(call)
            if !state.errors.isEmpty { throw state.errors.removeFirst() }
        }
    }

    func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.PutItemOutput
    {
        try record(.put(input))
        return DynamoDB.PutItemOutput()
    }
    func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.GetItemOutput
    {
        try record(.get(input))
        return DynamoDB.GetItemOutput(item: state.withLock { $0.items.isEmpty ? nil : $0.items.removeFirst() })
    }
    func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.UpdateItemOutput
    {
        DynamoDB.UpdateItemOutput()
    }
    func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.DeleteItemOutput
    {
        try record(.delete(input))
        return DynamoDB.DeleteItemOutput()
    }
    func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws -> DynamoDB.QueryOutput {
        DynamoDB.QueryOutput()
    }
    func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.TransactWriteItemsOutput
    {
        try record(.transact(input))
        return DynamoDB.TransactWriteItemsOutput()
    }
}

func transactionCanceled(_ reasons: String) -> AWSError {
    AWSError(
        service: "DynamoDB", operation: "TransactWriteItems", code: .transactionCanceled, message: "cancelled",
        requestID: nil,
        statusCode: 400,
        body: Array(#"{"__type":"TransactionCanceledException","CancellationReasons":\#(reasons)}"#.utf8))
}

@Suite struct DynamoDBIdempotencyStoreTests {
    let now: Int64 = 1_700_000_000_000

    @Test func beginIsAConditionalPutOfAnInProgressRecordExpiringAtTheDeadline() async throws {
        let client = ScriptedDynamoDB()
        let store = DynamoDBIdempotencyStore(
            client: client, tableName: "idem", timeToLive: .seconds(3600), now: { [now] in now })
        #expect(
            try await store.begin(key: "publish#k", payloadHash: "h", inProgressExpiry: now + 3000, deadline: nil)
                == .started)
        guard case .put(let input)? = client.calls.first else {
            Issue.record("no PutItem")
            return
        }
        #expect(input.item["id"] == .s("publish#k"))
        #expect(input.item["status"] == .s("INPROGRESS"))
        #expect(input.item["inProgressExpiry"] == .n("1700000003000"))
        #expect(input.item["expiresAt"] == .n("1700003600"))
        #expect(input.conditionExpression?.contains("attribute_not_exists(#pk)") == true)
        #expect(input.conditionExpression?.contains("#inProgressExpiry < :nowMilliseconds") == true)
        #expect(input.expressionAttributeValues?[":nowMilliseconds"] == .n("1700000000000"))
        #expect(input.returnValuesOnConditionCheckFailure == .allOld)
    }

    @Test func aFailedConditionReadsTheRecordAndTellsCompletedInProgressAndMismatch() async throws {
        let client = ScriptedDynamoDB()
        let store = DynamoDBIdempotencyStore(client: client, tableName: "idem", now: { [now] in now })
        let failed = AWSError(
            service: "DynamoDB", operation: "PutItem", code: .conditionalCheckFailed, message: nil, requestID: nil,
            statusCode: 400)
        let completed: DynamoDBItem = [
            "id": "k", "status": "COMPLETED", "payloadHash": "h", "expiresAt": .n("1700003600"), "result": #""m-1""#,
        ]
        client.fail(with: [failed])
        client.getReturns([completed])
        guard
            case .completed(let record) = try await store.begin(
                key: "k", payloadHash: "h", inProgressExpiry: now, deadline: nil)
        else {
            Issue.record("expected completed")
            return
        }
        #expect(record.result == #""m-1""#)

        var inProgress = completed
        inProgress["status"] = "INPROGRESS"
        inProgress["inProgressExpiry"] = .n("1700000009000")
        client.fail(with: [failed])
        client.getReturns([inProgress])
        await #expect(throws: IdempotencyError.inProgress(key: "k", until: 1_700_000_009_000)) {
            _ = try await store.begin(key: "k", payloadHash: "h", inProgressExpiry: now, deadline: nil)
        }
        client.fail(with: [failed])
        client.getReturns([completed])
        await #expect(throws: IdempotencyError.payloadMismatch(key: "k", storedHash: "h", receivedHash: "other")) {
            _ = try await store.begin(key: "k", payloadHash: "other", inProgressExpiry: now, deadline: nil)
        }
    }

    @Test func commitOnceWritesTheRecordFirstAndMapsAFailedConditionToADuplicate() async throws {
        let client = ScriptedDynamoDB()
        let schema = IdempotencyKeySchema(
            partitionKey: "pk", partitionKeyPrefix: "EVENT#", sortKey: "sk", sortKeyValue: "EVENT")
        let store = DynamoDBIdempotencyStore(
            client: client, tableName: "events", keySchema: schema, now: { [now] in now })
        let effect = DynamoDB.TransactWriteItem.update(
            .init(key: ["pk": "COUNTER#t", "sk": "m"], updateExpression: "ADD #count :one", tableName: "events"))
        let commit = IdempotentCommit(key: "e-1", payloadHash: "h", recordAttributes: ["type": "t"], effects: [effect])
        client.fail(with: [
            transactionCanceled(
                #"[{"Code":"ConditionalCheckFailed","Item":{"pk":{"S":"EVENT#e-1"},"sk":{"S":"EVENT"},"status":{"S":"COMPLETED"},"payloadHash":{"S":"h"},"expiresAt":{"N":"1700003600"}}},{"Code":"None"}]"#
            )
        ])
        guard case .duplicate = try await store.commitOnce(commit, deadline: nil) else {
            Issue.record("expected a duplicate")
            return
        }
        guard case .transact(let input)? = client.calls.first else {
            Issue.record("no transaction")
            return
        }
        #expect(input.transactItems.count == 2)
        #expect(input.transactItems[1] == effect)
        guard let put = input.transactItems[0].put else {
            Issue.record("the record is not a Put")
            return
        }
        #expect(put.item["pk"] == .s("EVENT#e-1"))
        #expect(put.item["sk"] == .s("EVENT"))
        #expect(put.item["type"] == .s("t"))
        #expect(put.conditionExpression?.hasPrefix("attribute_not_exists(#pk)") == true)
        #expect(client.calls.count == 1, "the item came with the cancellation reason: no read")
    }

    @Test func aTransactionConflictIsTriedAgainAndOtherCancellationsAreThrown() async throws {
        let client = ScriptedDynamoDB()
        let store = DynamoDBIdempotencyStore(client: client, tableName: "events", now: { [now] in now })
        let commit = IdempotentCommit(key: "e", payloadHash: "h", effects: [])
        client.fail(with: [transactionCanceled(#"[{"Code":"None"},{"Code":"TransactionConflict"}]"#)])
        #expect(try await store.commitOnce(commit, deadline: nil) == .committed)
        #expect(client.calls.count == 2)

        client.fail(with: [transactionCanceled(#"[{"Code":"None"},{"Code":"ValidationError"}]"#)])
        await #expect(throws: AWSError.self) { _ = try await store.commitOnce(commit, deadline: nil) }
    }

    @Test func abandonDeletesOnlyAnInProgressRecord() async throws {
        let client = ScriptedDynamoDB()
        let store = DynamoDBIdempotencyStore(client: client, tableName: "idem")
        try await store.abandon(key: "k", deadline: nil)
        guard case .delete(let input)? = client.calls.first else {
            Issue.record("no DeleteItem")
            return
        }
        #expect(input.conditionExpression == "#status = :inProgress")
    }
}
