import AWSCore
import AWSDynamoDB
import CloudEvents
import EventProcessing
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging
import UTCTime

/// `store`'s configuration, from its environment.
public struct StoreConfiguration: Sendable, Equatable {
    /// `AUDIT_TABLE`: originals (`pk` = event id, `sk` = `ORIGINAL`) and conflicts
    /// (`sk` = `CONFLICT#<sha256 of payload>`).
    public var auditTable: String
    /// `RETENTION_DAYS` (default 365): the TTL of audit records.
    public var retentionDays: Int

    public init(auditTable: String, retentionDays: Int = 365) {
        self.auditTable = auditTable
        self.retentionDays = retentionDays
    }

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        self.init(
            auditTable: try reader.tableName("AUDIT_TABLE", "the DynamoDB audit table"),
            retentionDays: try reader.positiveInteger("RETENTION_DAYS", default: 365))
    }
}

/// One event as the audit store keeps it.
public struct AuditRecord: Sendable, Hashable {
    public var eventID: String
    public var type: String
    public var source: String
    /// The event's JSON text as received.
    public var payload: String
    /// SHA-256 of the event's canonical JSON: the same event carried differently hashes the same.
    public var payloadHash: String
    /// `raw`, `sns` or `eventbridge`.
    public var carrier: String
    public var storedAt: String
    /// Epoch seconds: the TTL.
    public var expiresAt: Int64

    public init(
        eventID: String, type: String, source: String, payload: String, payloadHash: String, carrier: String,
        storedAt: String, expiresAt: Int64
    ) {
        self.eventID = eventID
        self.type = type
        self.source = source
        self.payload = payload
        self.payloadHash = payloadHash
        self.carrier = carrier
        self.storedAt = storedAt
        self.expiresAt = expiresAt
    }
}

public enum KeepOriginalOutcome: Sendable, Hashable {
    case stored
    /// An original with this id is already kept; its payload hash.
    case exists(payloadHash: String)
}

/// The audit table, behind a protocol so that unit tests keep it in memory.
public protocol AuditStore: Sendable {
    /// Keeps `record` as the original of its event id, unless one is kept already.
    func keepOriginal(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws -> KeepOriginalOutcome
    /// Keeps `record` aside as a conflict of its id's original; false if this very payload
    /// was kept aside already.
    func keepConflict(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws -> Bool
}

public struct DynamoDBAuditStore: AuditStore {
    public let client: any DynamoDBClientProtocol
    public let tableName: String

    public init(client: any DynamoDBClientProtocol, tableName: String) {
        self.client = client
        self.tableName = tableName
    }

    func item(_ record: AuditRecord, sortKey: String) -> DynamoDBItem {
        [
            "pk": .s(record.eventID), "sk": .s(sortKey), "type": .s(record.type), "source": .s(record.source),
            "payload": .s(record.payload), "payloadHash": .s(record.payloadHash), "carrier": .s(record.carrier),
            "storedAt": .s(record.storedAt), "expiresAt": .n(String(record.expiresAt)),
        ]
    }

    public func keepOriginal(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws
        -> KeepOriginalOutcome
    {
        do {
            _ = try await client.putItem(
                DynamoDB.PutItemInput(
                    tableName: tableName, item: item(record, sortKey: "ORIGINAL"),
                    conditionExpression: "attribute_not_exists(pk)",
                    returnValuesOnConditionCheckFailure: .allOld), deadline: deadline)
            return .stored
        } catch let error as AWSError where error.isConditionalCheckFailed {
            var existing = error.conditionCheckFailureItem
            if existing == nil {
                existing = try await client.getItem(
                    DynamoDB.GetItemInput(
                        tableName: tableName, key: ["pk": .s(record.eventID), "sk": "ORIGINAL"], consistentRead: true),
                    deadline: deadline
                ).item
            }
            guard case .s(let hash)? = existing?["payloadHash"] else {
                throw AuditStoreError.unreadableOriginal(eventID: record.eventID)
            }
            return .exists(payloadHash: hash)
        }
    }

    public func keepConflict(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws -> Bool {
        do {
            _ = try await client.putItem(
                DynamoDB.PutItemInput(
                    tableName: tableName, item: item(record, sortKey: "CONFLICT#\(record.payloadHash)"),
                    conditionExpression: "attribute_not_exists(pk)"), deadline: deadline)
            return true
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return false
        }
    }
}

public enum AuditStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadableOriginal(eventID: String)

    public var description: String {
        switch self {
        case .unreadableOriginal(let id): "the original of event \(id) exists but has no payloadHash"
        }
    }
}

/// `store`: keeps every event once, verbatim, with its payload hash and a retention TTL. A
/// duplicate with the same hash changes nothing; a different payload under a known id is
/// kept aside as a conflict and logged, never overwriting the original.
public struct StoreHandler: LambdaHandler {
    public let store: any AuditStore
    public let retention: Duration
    private let now: @Sendable () -> UTCTime

    public init(store: any AuditStore, retentionDays: Int, now: @escaping @Sendable () -> UTCTime = { .now() }) {
        self.store = store
        self.retention = .seconds(Int64(retentionDays) * 24 * 3600)
        self.now = now
    }

    public func handle(_ batch: SQSEvent, context: LambdaContext) async throws -> SQSBatchResponse {
        await CloudEventBatch.process(batch, logger: context.logger) { received, logger in
            let record = auditRecord(received)
            switch try await store.keepOriginal(record, deadline: context.deadline) {
            case .stored:
                Metrics.add("Stored")
                logger.info("stored", metadata: ["payloadHash": .string(record.payloadHash)])
            case .exists(let payloadHash) where payloadHash == record.payloadHash:
                Metrics.add("Duplicates")
                logger.info("duplicate: already stored, nothing changed")
            case .exists(let payloadHash):
                let isNew = try await store.keepConflict(record, deadline: context.deadline)
                Metrics.add("Conflicts")
                logger.warning(
                    "conflict: a different payload reuses a stored event id; kept aside, the original is unchanged",
                    metadata: [
                        "originalPayloadHash": .string(payloadHash), "conflictPayloadHash": .string(record.payloadHash),
                        "alreadyKeptAside": "\(!isNew)",
                    ])
            }
        }
    }

    func auditRecord(_ received: ReceivedCloudEvent) -> AuditRecord {
        let now = now()
        return AuditRecord(
            eventID: received.event.id, type: received.event.type, source: received.event.source,
            payload: received.verbatim,
            payloadHash: received.event.payloadHash, carrier: received.carrier.name,
            storedAt: now.iso8601(fractionalDigits: 3),
            expiresAt: now.wholeSecondsSince1970 + retention.components.seconds)
    }
}
