import AWSDynamoDB
import CloudEvents
import EventProcessing
import Idempotency
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging
import UTCTime

/// `process`'s configuration, from its environment.
public struct ProcessConfiguration: Sendable, Equatable {
    /// `EVENTS_TABLE`: event records (`pk` = `EVENT#<id>`, `sk` = `EVENT`) and counters
    /// (`pk` = `COUNTER#<type>`, `sk` = `yyyy-MM-ddTHH:mm`, attribute `count`, and the minute
    /// again as `rollupMinute`: only counters carry it, so the `CountersByMinute` index that
    /// rollup reads holds nothing else).
    public var eventsTable: String
    /// How long an event record keeps its id taken. SQS keeps a message at most 14 days, so
    /// no redelivery can come later than that.
    public var recordRetention: Duration

    public init(eventsTable: String, recordRetention: Duration = .seconds(14 * 24 * 3600)) {
        self.eventsTable = eventsTable
        self.recordRetention = recordRetention
    }

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        self.init(
            eventsTable: try reader.tableName(
                "EVENTS_TABLE", "the DynamoDB table of processed-event records and counters"))
    }

    /// Where event records live in the events table.
    public static let eventRecordKeySchema = IdempotencyKeySchema(
        partitionKey: "pk", partitionKeyPrefix: "EVENT#", sortKey: "sk", sortKeyValue: "EVENT")
}

/// `process`: for each new event of an SQS batch, exactly once, its record and one more on
/// its type's counter for the minute of its `time`, in one transaction. A redelivered event
/// changes nothing.
public struct ProcessHandler: LambdaHandler {
    public let store: any IdempotencyStore
    public let eventsTable: String
    /// For events without a `time`: the minute they are counted in.
    private let now: @Sendable () -> UTCTime

    public init(store: any IdempotencyStore, eventsTable: String, now: @escaping @Sendable () -> UTCTime = { .now() }) {
        self.store = store
        self.eventsTable = eventsTable
        self.now = now
    }

    public func handle(_ batch: SQSEvent, context: LambdaContext) async throws -> SQSBatchResponse {
        await CloudEventBatch.process(batch, logger: context.logger) { received, logger in
            let event = received.event
            let minute = Self.minute(of: event.occurredAt ?? now())
            let outcome = try await store.commitOnce(commit(for: received, minute: minute), deadline: context.deadline)
            switch outcome {
            case .committed:
                Metrics.add("Processed")
                logger.info("processed", metadata: ["counter": "COUNTER#\(event.type) \(minute)"])
            case .duplicate:
                Metrics.add("Duplicates")
                logger.info("duplicate: already processed, nothing changed")
            }
        }
    }

    func commit(for received: ReceivedCloudEvent, minute: String) -> IdempotentCommit {
        let event = received.event
        var attributes: DynamoDBItem = [
            "type": .s(event.type), "source": .s(event.source), "minute": .s(minute),
            "carrier": .s(received.carrier.name), "processedAt": .s(now().iso8601(fractionalDigits: 3)),
        ]
        if let subject = event.subject { attributes["subject"] = .s(subject) }
        if let time = event.time { attributes["time"] = .s(time) }
        let counter = DynamoDB.TransactWriteItem.update(
            .init(
                key: Self.counterKey(type: event.type, minute: minute),
                updateExpression: "ADD #count :one SET #rollupMinute = :minute",
                tableName: eventsTable, expressionAttributeNames: ["#count": "count", "#rollupMinute": "rollupMinute"],
                expressionAttributeValues: [":one": .n("1"), ":minute": .s(minute)]))
        return IdempotentCommit(
            key: event.id, payloadHash: event.payloadHash, recordAttributes: attributes, effects: [counter])
    }

    public static func counterKey(type: String, minute: String) -> DynamoDBItem {
        ["pk": .s("COUNTER#\(type)"), "sk": .s(minute)]
    }

    /// `yyyy-MM-ddTHH:mm` in UTC.
    public static func minute(of time: UTCTime) -> String {
        String(time.iso8601().prefix(16))
    }
}
