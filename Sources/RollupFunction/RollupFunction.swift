import AWSDynamoDB
import AWSEventBridge
import CloudEvents
import Hashing
import Idempotency
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging
import UTCTime

/// `rollup`'s configuration, from its environment.
public struct RollupConfiguration: Sendable, Equatable {
    /// `EVENTS_TABLE`: process's per-minute counters (read through ``countersIndex``), the
    /// hourly totals (`pk` = `HOURLY#<type>`, `sk` = `yyyy-MM-ddTHH`) and the rollup records
    /// (`pk` = `ROLLUP#<minute>`, `sk` = `ROLLUP`).
    public var eventsTable: String
    /// `EVENT_BUS_NAME`: where each minute's summary event goes, to be audited like any other.
    public var eventBusName: String
    public var countersIndex: String

    public init(eventsTable: String, eventBusName: String, countersIndex: String = RollupConfiguration.defaultIndex) {
        self.eventsTable = eventsTable
        self.eventBusName = eventBusName
        self.countersIndex = countersIndex
    }

    public static let defaultIndex = "CountersByMinute"

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        self.init(
            eventsTable: try reader.tableName("EVENTS_TABLE", "the DynamoDB table of counters and totals"),
            eventBusName: try reader.required("EVENT_BUS_NAME", "the EventBridge bus the minute summaries go to"),
            countersIndex: reader.optional("COUNTERS_INDEX") ?? Self.defaultIndex)
    }

    /// Where rollup records live in the events table.
    public static let rollupRecordKeySchema = IdempotencyKeySchema(
        partitionKey: "pk", partitionKeyPrefix: "ROLLUP#", sortKey: "sk", sortKeyValue: "ROLLUP")
}

/// The counts of one minute, by event type.
public protocol MinuteCounters: Sendable {
    func counts(minute: String, deadline: ContinuousClock.Instant?) async throws -> [String: Int]
}

/// Where summaries go.
public protocol SummaryBus: Sendable {
    func put(_ summary: CloudEvent, deadline: ContinuousClock.Instant?) async throws
}

/// A scheduled event that is not one: another source or detail type on the rollup's queue.
public struct NotAScheduledEvent: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "not an EventBridge scheduled event: \(reason)" }
}

/// More types in a minute than one DynamoDB transaction can add up (99 besides the record).
public struct TooManyTypes: Error, CustomStringConvertible {
    public var minute: String
    public var count: Int
    public var description: String {
        "\(count) event types counted in \(minute): one rollup transaction adds up at most \(RollupHandler.maximumTypesPerMinute)"
    }
}

/// `rollup`: on each EventBridge scheduled event (`rate(1 minute)`, through an SQS queue), rolls
/// the previous minute's per-type counters up into hourly totals, exactly once per minute, and
/// puts a summary CloudEvent for that minute on the bus.
///
/// The minute rolled up is the one before the schedule's `time` (a 12:01:00 event rolls up
/// 12:00). The totals hold what was counted when the rollup ran: an event timed 12:00 that
/// process counts after that stays in its minute's counter only. A redelivered or repeated
/// scheduled event changes nothing and puts the same summary again (its id is the minute's,
/// so consumers keep it once).
public struct RollupHandler: LambdaHandler {
    public static let maximumTypesPerMinute = 99
    public static let summarySource = "urn:event-pipeline:rollup"
    public static let summaryType = "com.example.rollup.minute"

    public let counters: any MinuteCounters
    public let store: any IdempotencyStore
    public let bus: any SummaryBus
    public let eventsTable: String

    public init(counters: any MinuteCounters, store: any IdempotencyStore, bus: any SummaryBus, eventsTable: String) {
        self.counters = counters
        self.store = store
        self.bus = bus
        self.eventsTable = eventsTable
    }

    public func handle(_ batch: SQSEvent, context: LambdaContext) async throws -> SQSBatchResponse {
        var failed: [String] = []
        for message in batch.records {
            var logger = context.logger
            logger[metadataKey: "messageId"] = .string(message.messageID)
            do {
                let scheduled = try Self.scheduledEvent(in: message.body)
                let minute = Self.minuteBefore(scheduled.time.time)
                logger[metadataKey: "correlationId"] = .string(Self.summaryID(minute: minute))
                logger[metadataKey: "minute"] = .string(minute)
                try await rollUp(minute: minute, deadline: context.deadline, logger: logger)
            } catch {
                logger.error("rollup failed", metadata: ["error": "\(error)"])
                Metrics.add("Failed")
                failed.append(message.messageID)
            }
        }
        return SQSBatchResponse(failedMessageIDs: failed)
    }

    func rollUp(minute: String, deadline: ContinuousClock.Instant, logger: Logger) async throws {
        let counts = try await counters.counts(minute: minute, deadline: deadline)
        guard counts.count <= Self.maximumTypesPerMinute else {
            throw TooManyTypes(minute: minute, count: counts.count)
        }
        let hour = String(minute.prefix(13))
        let effects = counts.sorted { $0.key < $1.key }.map { type, count in
            DynamoDB.TransactWriteItem.update(
                .init(
                    key: ["pk": .s("HOURLY#\(type)"), "sk": .s(hour)], updateExpression: "ADD #count :n",
                    tableName: eventsTable, expressionAttributeNames: ["#count": "count"],
                    expressionAttributeValues: [":n": .n(String(count))]))
        }
        let countsJSON = CanonicalJSON.string(.object(counts.mapValues { .integer(Int64($0)) }))
        // The key alone is the payload: a rollup repeated after more events arrived is the same
        // rollup, and keeps the counts it first added.
        let commit = IdempotentCommit(
            key: minute, payloadHash: Digest.sha256(Array("rollup \(minute)".utf8)).hexEncoded,
            recordAttributes: ["hour": .s(hour)], effects: effects, result: countsJSON)
        let added: [String: Int]
        switch try await store.commitOnce(commit, deadline: deadline) {
        case .committed:
            added = counts
            Metrics.add("RolledUp")
            logger.info("rolled up", metadata: ["types": "\(counts.count)", "events": "\(counts.values.reduce(0, +))"])
        case .duplicate(let record):
            added = Self.counts(fromJSON: record.result) ?? [:]
            Metrics.add("Duplicates")
            logger.info("duplicate: this minute was rolled up already; its summary is put again")
        }
        try await bus.put(Self.summary(minute: minute, counts: added), deadline: deadline)
        Metrics.add("Summaries")
    }

    /// The scheduled event an SQS message carries, as an EventBridge rule delivers it.
    public static func scheduledEvent(in body: String) throws -> ScheduledEvent {
        let event: EventBridgeEvent<JSONValue?>
        do {
            event = try EventBody.decode(
                EventBridgeEvent<JSONValue?>.self, from: body, record: "message", field: "body")
        } catch {
            throw NotAScheduledEvent(reason: "\(error)")
        }
        guard event.source == "aws.events", event.detailType == "Scheduled Event" else {
            throw NotAScheduledEvent(reason: "source \(event.source), detail-type \(event.detailType)")
        }
        return event.withDetail(ScheduledEventDetail())
    }

    /// `yyyy-MM-ddTHH:mm` of the minute before `time`'s minute.
    public static func minuteBefore(_ time: UTCTime) -> String {
        let minuteStart = UTCTime(secondsSince1970: time.wholeSecondsSince1970 - time.wholeSecondsSince1970 % 60)
        return String((minuteStart - .seconds(60)).iso8601().prefix(16))
    }

    public static func summaryID(minute: String) -> String { "rollup-\(minute)" }

    /// The minute's summary: its counts by type and their total.
    public static func summary(minute: String, counts: [String: Int]) -> CloudEvent {
        CloudEvent(
            id: summaryID(minute: minute), source: summarySource, type: summaryType, subject: minute,
            time: "\(minute):59Z", dataContentType: "application/json",
            data: .object([
                "minute": .string(minute), "hour": .string(String(minute.prefix(13))),
                "counts": .object(counts.mapValues { .integer(Int64($0)) }),
                "total": .integer(Int64(counts.values.reduce(0, +))),
            ]))
    }

    static func counts(fromJSON text: String?) -> [String: Int]? {
        guard let text, let object = try? JSONValue(parsing: Array(text.utf8)).objectValue else { return nil }
        return object.compactMapValues { $0.integerValue.map { Int($0) } }
    }
}

/// The counters process keeps, read by minute through the sparse `CountersByMinute` index
/// (only counter items carry `rollupMinute`).
public struct DynamoDBMinuteCounters: MinuteCounters {
    public let client: any DynamoDBClientProtocol
    public let tableName: String
    public let indexName: String

    public init(client: any DynamoDBClientProtocol, tableName: String, indexName: String) {
        self.client = client
        self.tableName = tableName
        self.indexName = indexName
    }

    public func counts(minute: String, deadline: ContinuousClock.Instant?) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var start: DynamoDBItem?
        repeat {
            let output = try await client.query(
                DynamoDB.QueryInput(
                    tableName: tableName, indexName: indexName, exclusiveStartKey: start,
                    keyConditionExpression: "rollupMinute = :minute",
                    expressionAttributeValues: [":minute": .s(minute)]), deadline: deadline)
            for item in output.items ?? [] {
                guard case .s(let pk)? = item["pk"], pk.hasPrefix("COUNTER#"), case .n(let count)? = item["count"]
                else { continue }
                counts[String(pk.dropFirst("COUNTER#".count)), default: 0] += Int(count) ?? 0
            }
            start = output.lastEvaluatedKey
        } while start != nil
        return counts
    }
}

/// Summaries onto an EventBridge bus, as publish puts events: the CloudEvent as `detail`.
public struct EventBridgeSummaryBus: SummaryBus {
    public let client: any EventBridgeClientProtocol
    public let busName: String

    public init(client: any EventBridgeClientProtocol, busName: String) {
        self.client = client
        self.busName = busName
    }

    public func put(_ summary: CloudEvent, deadline: ContinuousClock.Instant?) async throws {
        let output = try await client.putEvents(
            EventBridge.PutEventsRequest(entries: [
                EventBridge.PutEventsRequestEntry(
                    source: summary.source, detailType: summary.type, detail: summary.canonicalJSON,
                    eventBusName: busName)
            ]), deadline: deadline)
        if let failure = output.failures.first {
            throw AWSEntryRejected(
                code: failure.entry.errorCode ?? "unknown", message: failure.entry.errorMessage ?? "")
        }
    }
}

/// PutEvents answered, but refused the entry.
public struct AWSEntryRejected: Error, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { "EventBridge refused the summary: \(code) \(message)" }
}
