import AWSCore
import AWSSNS
import CloudEvents
import EventProcessing
import Idempotency
import JSONCoding
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging

/// `notify`'s configuration, from its environment.
public struct NotifyConfiguration: Sendable, Equatable {
    /// `NOTIFICATIONS_TOPIC_ARN`.
    public var notificationsTopicARN: String
    /// `IDEMPOTENCY_TABLE`: the two-phase records, one per notified event.
    public var idempotencyTable: String
    /// `NOTIFY_TYPES` (default `*.alert,*.failed`).
    public var notifyTypes: [EventTypePattern]

    public static let defaultNotifyTypes = "*.alert,*.failed"

    public init(notificationsTopicARN: String, idempotencyTable: String, notifyTypes: [EventTypePattern]) {
        self.notificationsTopicARN = notificationsTopicARN
        self.idempotencyTable = idempotencyTable
        self.notifyTypes = notifyTypes
    }

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        let topic = try reader.topicARN("NOTIFICATIONS_TOPIC_ARN", "the SNS topic notifications are published to")!
        let table = try reader.tableName("IDEMPOTENCY_TABLE", "the DynamoDB table of idempotency records")
        let patterns = reader.list("NOTIFY_TYPES", default: Self.defaultNotifyTypes)
        guard !patterns.isEmpty else {
            throw ConfigurationError(
                variable: "NOTIFY_TYPES", problem: "names no event type pattern (e.g. \(Self.defaultNotifyTypes))")
        }
        self.init(
            notificationsTopicARN: topic, idempotencyTable: table, notifyTypes: patterns.map(EventTypePattern.init))
    }
}

/// A glob over event types: `*` matches any run of characters, `?` any one.
public struct EventTypePattern: Sendable, Hashable, CustomStringConvertible {
    public var glob: String

    public init(_ glob: String) {
        self.glob = glob
    }

    public var description: String { glob }

    public func matches(_ type: String) -> Bool {
        let pattern = Array(glob.unicodeScalars)
        let text = Array(type.unicodeScalars)
        // Iterative wildcard matching with backtracking to the last `*`: linear for these sizes.
        var p = 0
        var t = 0
        var star = -1
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// The notifications topic's circuit breaker is open: the rest of the batch is left for
/// SQS to redeliver rather than sent into a known outage.
public struct NotificationsUnavailable: BatchStoppingError, CustomStringConvertible {
    public var reason: String
    public var description: String { "notifications are not sent while SNS is unavailable: \(reason)" }
}

/// `notify`: events of a notifiable type become a rendered notification on the
/// notifications topic, exactly once per event through the two-phase idempotency store.
public struct NotifyHandler: LambdaHandler {
    public let store: any IdempotencyStore
    public let sns: any SNSClientProtocol
    public let notificationsTopicARN: String
    public let notifyTypes: [EventTypePattern]
    /// The breaker in front of SNS (the client's transport consults it on every call); read
    /// here so that an open circuit stops the batch before any record is written.
    public let circuitBreaker: CircuitBreaker?

    public init(
        store: any IdempotencyStore, sns: any SNSClientProtocol, notificationsTopicARN: String,
        notifyTypes: [EventTypePattern],
        circuitBreaker: CircuitBreaker?
    ) {
        self.store = store
        self.sns = sns
        self.notificationsTopicARN = notificationsTopicARN
        self.notifyTypes = notifyTypes
        self.circuitBreaker = circuitBreaker
    }

    public func handle(_ batch: SQSEvent, context: LambdaContext) async throws -> SQSBatchResponse {
        let deadline = InvocationDeadline(epochMilliseconds: context.deadlineMilliseconds, instant: context.deadline)
        return await CloudEventBatch.process(batch, logger: context.logger) { received, logger in
            let event = received.event
            guard notifyTypes.contains(where: { $0.matches(event.type) }) else {
                logger.debug("not notifiable", metadata: ["notifyTypes": "\(notifyTypes)"])
                return
            }
            if let circuitBreaker, case .open(let until) = circuitBreaker.currentState {
                throw NotificationsUnavailable(
                    reason:
                        "the circuit breaker for \(circuitBreaker.endpoint) is open for another \(ContinuousClock.now.duration(to: until))"
                )
            }
            let outcome: IdempotentOutcome<String>
            do {
                outcome = try await store.idempotent(
                    key: "notify#\(event.id)", payloadHash: event.payloadHash, deadline: deadline
                ) {
                    let published = try await sns.publish(
                        Self.notification(for: event, topicARN: notificationsTopicARN), deadline: context.deadline)
                    return published.messageID ?? ""
                }
            } catch let error as AWSTransportError {
                if case .circuitOpen = error { throw NotificationsUnavailable(reason: error.description) }
                throw error
            } catch let error as IdempotencyError {
                guard case .resultNotSaved = error else { throw error }
                // Sent: a failure now would make SQS redeliver and, after the record's
                // in-progress expiry, send it again. Reported as done, and logged loudly.
                Metrics.add("Notified")
                logger.error(
                    "notified, but the idempotency record was not completed: a redelivery could notify again",
                    metadata: ["error": "\(error)"])
                return
            }
            switch outcome {
            case .executed(let messageID):
                Metrics.add("Notified")
                logger.info("notified", metadata: ["snsMessageId": .string(messageID)])
            case .replayed(let messageID):
                Metrics.add("Duplicates")
                logger.info("duplicate: already notified, nothing sent", metadata: ["snsMessageId": .string(messageID)])
            }
        }
    }

    /// The notification: a subject line for e-mail subscribers, a readable body, and the
    /// event's `type` and `source` as message attributes for subscription filters.
    public static func notification(for event: CloudEvent, topicARN: String) -> SNS.PublishInput {
        let severity = event.type.hasSuffix(".failed") ? "FAILED" : event.type.hasSuffix(".alert") ? "ALERT" : "NOTICE"
        var lines = ["\(severity): \(event.type)\(event.subject.map { " for \($0)" } ?? "")", ""]
        lines.append("source:   \(event.source)")
        if let time = event.time { lines.append("time:     \(time)") }
        lines.append("event id: \(event.id)")
        if let data = event.data {
            lines += [
                "",
                String(
                    decoding: (try? JSON.encode(data, options: .init(sortedKeys: true, prettyPrinted: true))) ?? [],
                    as: UTF8.self),
            ]
        }
        return SNS.PublishInput(
            topicARN: topicARN, message: lines.joined(separator: "\n"),
            subject: snsSubject("[\(severity)] \(event.type)\(event.subject.map { ": \($0)" } ?? "")"),
            messageAttributes: ["type": .string(event.type), "source": .string(event.source)],
            messageDeduplicationID: topicARN.hasSuffix(".fifo") ? event.id : nil,
            messageGroupID: topicARN.hasSuffix(".fifo") ? event.subject ?? event.source : nil)
    }

    /// SNS subjects are at most 100 printable ASCII characters, without line breaks.
    static func snsSubject(_ text: String) -> String {
        let ascii = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
        return ascii.count <= 100 ? ascii : String(ascii.prefix(99)) + "~"
    }
}
