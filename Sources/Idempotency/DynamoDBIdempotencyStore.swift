import AWSCore
import AWSDynamoDB
import TextEncodings

/// Where records live in a table: the key attributes an idempotency key maps to.
public struct IdempotencyKeySchema: Sendable, Hashable {
    public var partitionKey: String
    /// Prepended to the idempotency key in the partition key, e.g. `EVENT#`.
    public var partitionKeyPrefix: String
    public var sortKey: String?
    /// The constant sort key value of every record, when the table has a sort key.
    public var sortKeyValue: String?

    public init(
        partitionKey: String, partitionKeyPrefix: String = "", sortKey: String? = nil, sortKeyValue: String? = nil
    ) {
        precondition((sortKey == nil) == (sortKeyValue == nil), "a sort key needs its value, and only then")
        self.partitionKey = partitionKey
        self.partitionKeyPrefix = partitionKeyPrefix
        self.sortKey = sortKey
        self.sortKeyValue = sortKeyValue
    }

    /// A table of its own: partition key `id` (S).
    public static let idempotencyTable = IdempotencyKeySchema(partitionKey: "id")

    public func key(for idempotencyKey: String) -> DynamoDBItem {
        var key: DynamoDBItem = [partitionKey: .s(partitionKeyPrefix + idempotencyKey)]
        if let sortKey, let sortKeyValue { key[sortKey] = .s(sortKeyValue) }
        return key
    }
}

/// The idempotency store on a DynamoDB table whose TTL attribute is `expiresAt`.
///
/// Record attributes: `status`, `payloadHash`, `inProgressExpiry` (epoch ms), `expiresAt`
/// (epoch s), `result`, and `claim`: a token unique to one ``begin(key:payloadHash:inProgressExpiry:deadline:)``
/// call, so that a claim whose answer was lost, retried by the client, is recognised as the
/// caller's own rather than as another invocation's. A record whose `expiresAt` has passed counts as absent even before
/// DynamoDB's TTL sweep (which can lag by days) deletes it.
public struct DynamoDBIdempotencyStore: IdempotencyStore {
    public let client: any DynamoDBClientProtocol
    public let tableName: String
    public let keySchema: IdempotencyKeySchema
    /// How long a completed record keeps its key taken.
    public let timeToLive: Duration
    private let now: IdempotencyClock.Now
    /// Transactions that lose a race with another transaction on the same items (a shared
    /// counter) are cancelled with `TransactionConflict`; they are tried this many times.
    private let transactionAttempts = 4

    public init(
        client: any DynamoDBClientProtocol, tableName: String, keySchema: IdempotencyKeySchema = .idempotencyTable,
        timeToLive: Duration = .seconds(3600), now: @escaping IdempotencyClock.Now = IdempotencyClock.system
    ) {
        self.client = client
        self.tableName = tableName
        self.keySchema = keySchema
        self.timeToLive = timeToLive
        self.now = now
    }

    enum Attribute {
        static let status = "status", payloadHash = "payloadHash", inProgressExpiry = "inProgressExpiry"
        static let expiresAt = "expiresAt", result = "result", claim = "claim"
    }

    private var names: [String: String] {
        [
            "#pk": keySchema.partitionKey, "#status": Attribute.status, "#expiresAt": Attribute.expiresAt,
            "#inProgressExpiry": Attribute.inProgressExpiry,
        ]
    }

    private func expiresAt(nowMilliseconds: Int64) -> Int64 {
        nowMilliseconds / 1000 + timeToLive.components.seconds
    }

    public func begin(key: String, payloadHash: String, inProgressExpiry: Int64, deadline: ContinuousClock.Instant?)
        async throws -> IdempotencyBeginOutcome
    {
        // The record can vanish between a failed condition and the read of it (completed
        // records expire, failed effects delete theirs): then claiming it again is right.
        let claim = randomUUIDString()
        for _ in 0..<3 {
            let nowMilliseconds = now()
            var item = keySchema.key(for: key)
            item[Attribute.status] = .s(IdempotencyStatus.inProgress.rawValue)
            item[Attribute.payloadHash] = .s(payloadHash)
            item[Attribute.inProgressExpiry] = .n(String(inProgressExpiry))
            item[Attribute.expiresAt] = .n(String(expiresAt(nowMilliseconds: nowMilliseconds)))
            item[Attribute.claim] = .s(claim)
            do {
                _ = try await client.putItem(
                    DynamoDB.PutItemInput(
                        tableName: tableName, item: item,
                        conditionExpression:
                            "attribute_not_exists(#pk) OR #expiresAt < :nowSeconds OR (#status = :inProgress AND #inProgressExpiry < :nowMilliseconds)",
                        expressionAttributeNames: names,
                        expressionAttributeValues: [
                            ":nowSeconds": .n(String(nowMilliseconds / 1000)),
                            ":nowMilliseconds": .n(String(nowMilliseconds)),
                            ":inProgress": .s(IdempotencyStatus.inProgress.rawValue),
                        ],
                        returnValuesOnConditionCheckFailure: .allOld), deadline: deadline)
                return .started
            } catch let error as AWSError where error.isConditionalCheckFailed {
                guard
                    let existing = try await existingRecord(
                        key: key, returned: error.conditionCheckFailureItem, deadline: deadline)
                else { continue }
                guard existing.payloadHash == payloadHash else {
                    throw IdempotencyError.payloadMismatch(
                        key: key, storedHash: existing.payloadHash, receivedHash: payloadHash)
                }
                switch existing.status {
                case .completed: return .completed(existing)
                // The client retried a put that had succeeded: the record it finds is this call's.
                case .inProgress where existing.claim == claim: return .started
                case .inProgress: throw IdempotencyError.inProgress(key: key, until: existing.inProgressExpiry ?? 0)
                }
            }
        }
        throw IdempotencyError.invalidRecord(key: key, reason: "the record kept changing while it was claimed")
    }

    public func complete(key: String, payloadHash: String, result: String, deadline: ContinuousClock.Instant?)
        async throws
    {
        var item = keySchema.key(for: key)
        item[Attribute.status] = .s(IdempotencyStatus.completed.rawValue)
        item[Attribute.payloadHash] = .s(payloadHash)
        item[Attribute.expiresAt] = .n(String(expiresAt(nowMilliseconds: now())))
        item[Attribute.result] = .s(result)
        _ = try await client.putItem(DynamoDB.PutItemInput(tableName: tableName, item: item), deadline: deadline)
    }

    public func abandon(key: String, deadline: ContinuousClock.Instant?) async throws {
        // Only an in-progress record: a completed one means the effect ran after all.
        do {
            _ = try await client.deleteItem(
                DynamoDB.DeleteItemInput(
                    tableName: tableName, key: keySchema.key(for: key), conditionExpression: "#status = :inProgress",
                    expressionAttributeNames: ["#status": Attribute.status],
                    expressionAttributeValues: [":inProgress": .s(IdempotencyStatus.inProgress.rawValue)]),
                deadline: deadline)
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return
        }
    }

    public func commitOnce(_ commit: IdempotentCommit, deadline: ContinuousClock.Instant?) async throws
        -> IdempotentCommitOutcome
    {
        var attempt = 0
        while true {
            attempt += 1
            let nowMilliseconds = now()
            var item = commit.recordAttributes.merging(keySchema.key(for: commit.key)) { $1 }
            item[Attribute.status] = .s(IdempotencyStatus.completed.rawValue)
            item[Attribute.payloadHash] = .s(commit.payloadHash)
            item[Attribute.expiresAt] = .n(String(expiresAt(nowMilliseconds: nowMilliseconds)))
            if let result = commit.result { item[Attribute.result] = .s(result) }
            let record = DynamoDB.TransactWriteItem.put(
                .init(
                    item: item, tableName: tableName,
                    conditionExpression: "attribute_not_exists(#pk) OR #expiresAt < :nowSeconds",
                    expressionAttributeNames: ["#pk": keySchema.partitionKey, "#expiresAt": Attribute.expiresAt],
                    expressionAttributeValues: [":nowSeconds": .n(String(nowMilliseconds / 1000))],
                    returnValuesOnConditionCheckFailure: .allOld))
            do {
                _ = try await client.transactWriteItems(
                    DynamoDB.TransactWriteItemsInput(transactItems: [record] + commit.effects), deadline: deadline)
                return .committed
            } catch let error as AWSError where error.isTransactionCanceled {
                let reasons = error.cancellationReasons ?? []
                if let first = reasons.first, first.isConditionalCheckFailed {
                    guard
                        let existing = try await existingRecord(
                            key: commit.key, returned: first.item, deadline: deadline)
                    else {
                        if attempt < transactionAttempts { continue }
                        throw error
                    }
                    guard existing.payloadHash == commit.payloadHash else {
                        throw IdempotencyError.payloadMismatch(
                            key: commit.key, storedHash: existing.payloadHash, receivedHash: commit.payloadHash)
                    }
                    return .duplicate(existing)
                }
                let conflicted = reasons.contains { $0.code == "TransactionConflict" }
                guard conflicted, attempt < transactionAttempts, deadline.map({ ContinuousClock.now < $0 }) ?? true
                else { throw error }
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...(40 << attempt))))
            }
        }
    }

    private func existingRecord(key: String, returned: DynamoDBItem?, deadline: ContinuousClock.Instant?) async throws
        -> IdempotencyRecord?
    {
        var item = returned
        if item == nil || item?.isEmpty == true {
            item = try await client.getItem(
                DynamoDB.GetItemInput(tableName: tableName, key: keySchema.key(for: key), consistentRead: true),
                deadline: deadline
            ).item
        }
        guard let item else { return nil }
        return try IdempotencyRecord(key: key, item: item)
    }
}

extension IdempotencyRecord {
    init(key: String, item: DynamoDBItem) throws(IdempotencyError) {
        typealias Attribute = DynamoDBIdempotencyStore.Attribute
        guard case .s(let statusText)? = item[Attribute.status], let status = IdempotencyStatus(rawValue: statusText)
        else {
            throw .invalidRecord(key: key, reason: "status is missing or not INPROGRESS / COMPLETED")
        }
        guard case .s(let hash)? = item[Attribute.payloadHash] else {
            throw .invalidRecord(key: key, reason: "payloadHash is missing")
        }
        guard case .n(let expiresText)? = item[Attribute.expiresAt], let expiresAt = Int64(expiresText) else {
            throw .invalidRecord(key: key, reason: "expiresAt is missing or not a whole number")
        }
        var inProgressExpiry: Int64?
        if case .n(let text)? = item[Attribute.inProgressExpiry] { inProgressExpiry = Int64(text) }
        var result: String?
        if case .s(let text)? = item[Attribute.result] { result = text }
        var claim: String?
        if case .s(let text)? = item[Attribute.claim] { claim = text }
        self.init(
            key: key, status: status, payloadHash: hash, inProgressExpiry: inProgressExpiry, expiresAt: expiresAt,
            result: result, claim: claim)
    }
}
