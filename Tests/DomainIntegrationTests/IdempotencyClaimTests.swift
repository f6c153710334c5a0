import AWSCore
import AWSDynamoDB
import Foundation
import Idempotency
import Testing

/// DynamoDB through the real client, except that every PutItem's answer is lost after the
/// table took it and the put is sent again: what the client's retry does when a connection
/// drops after the request went out.
private struct PutAnswerLostAndRetried: DynamoDBClientProtocol {
    let dynamoDB: DynamoDBClient

    func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.PutItemOutput
    {
        _ = try await dynamoDB.putItem(input, deadline: deadline)
        return try await dynamoDB.putItem(input, deadline: deadline)
    }
    func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.GetItemOutput
    {
        try await dynamoDB.getItem(input, deadline: deadline)
    }
    func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.UpdateItemOutput
    {
        try await dynamoDB.updateItem(input, deadline: deadline)
    }
    func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.DeleteItemOutput
    {
        try await dynamoDB.deleteItem(input, deadline: deadline)
    }
    func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws -> DynamoDB.QueryOutput {
        try await dynamoDB.query(input, deadline: deadline)
    }
    func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.TransactWriteItemsOutput
    {
        try await dynamoDB.transactWriteItems(input, deadline: deadline)
    }
}

@Suite struct IdempotencyClaimTests {
    /// Before claims carried a token, the retried put found the record it had itself written
    /// and reported the key in progress: publish answered 409 until the invocation's deadline
    /// and notify failed the message, for an event no one else was handling.
    @Test func aClaimWhoseAnswerWasLostIsRecognisedAsTheCallersOwn() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("idempotency", sortKey: false)
        let store = DynamoDBIdempotencyStore(client: PutAnswerLostAndRetried(dynamoDB: aws.dynamoDB), tableName: table)
        let expiry = Int64(Date().timeIntervalSince1970 * 1000) + 30_000

        #expect(
            try await store.begin(key: "notify#e-1", payloadHash: "h", inProgressExpiry: expiry, deadline: nil)
                == .started)

        // Another invocation's claim on the same key is still refused while this one holds it.
        let other = DynamoDBIdempotencyStore(client: aws.dynamoDB, tableName: table)
        await #expect(throws: IdempotencyError.inProgress(key: "notify#e-1", until: expiry)) {
            try await other.begin(key: "notify#e-1", payloadHash: "h", inProgressExpiry: expiry, deadline: nil)
        }

        // The protocol carries on as usual: completed once, replayed after.
        try await store.complete(key: "notify#e-1", payloadHash: "h", result: #""m-1""#, deadline: nil)
        guard
            case .completed(let record) = try await other.begin(
                key: "notify#e-1", payloadHash: "h", inProgressExpiry: expiry, deadline: nil)
        else {
            Issue.record("expected the completed record")
            return
        }
        #expect(record.result == #""m-1""#)
    }
}
