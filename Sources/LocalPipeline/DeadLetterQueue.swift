import AWSCore
import AWSSQS
import Foundation

/// A message sitting in a dead-letter queue.
public struct DeadLetter: Sendable, Equatable {
    public var messageID: String
    public var body: String
    public var receiveCount: Int?
    public var sentTimestamp: String?
    /// `DeadLetterQueueSourceArn`, when SQS recorded where the message came from.
    public var sourceARN: String?
    public var attributes: [String: SQS.MessageAttributeValue]
}

/// What a replay did.
public struct ReplayResult: Sendable, Equatable {
    public var sourceQueueURL: String
    public var moved: Int
    /// Messages SQS refused to take back; they are still in the DLQ.
    public var sendFailures: [String]
    /// Messages sent back whose delete from the DLQ failed: they are now in both queues.
    public var deleteFailures: [String]
}

public enum DeadLetterQueueError: Error, CustomStringConvertible {
    case noSource(dlq: String)
    case ambiguousSource(dlq: String, candidates: [String])

    public var description: String {
        switch self {
        case .noSource(let dlq):
            "no queue has \(dlq) as its dead-letter queue (no RedrivePolicy names it): give the source with --to QUEUE"
        case .ambiguousSource(let dlq, let candidates):
            "several queues send to \(dlq): \(candidates.joined(separator: ", ")); choose one with --to QUEUE"
        }
    }
}

/// Lists and replays dead-letter queues.
public struct DeadLetterQueues: Sendable {
    public let admin: AWSAdmin

    public init(admin: AWSAdmin) { self.admin = admin }

    var sqs: SQSClient { admin.sqs }

    /// A queue URL from a URL or a name.
    public func url(of queue: String) async throws -> String {
        queue.hasPrefix("http://") || queue.hasPrefix("https://") ? queue : try await admin.queueURL(name: queue)
    }

    /// Every message in the queue. SQS has no peek: each is received (which counts as a
    /// receive) under a visibility timeout long enough to see them all, then made visible
    /// again at once.
    public func list(_ queue: String) async throws -> [DeadLetter] {
        let url = try await url(of: queue)
        var seen: [String: DeadLetter] = [:]
        var handles: [String] = []
        do {
            while true {
                let messages =
                    try await sqs.receiveMessage(
                        SQS.ReceiveMessageRequest(
                            queueURL: url, messageSystemAttributeNames: ["All"], messageAttributeNames: ["All"],
                            maxNumberOfMessages: 10,
                            visibilityTimeout: 60, waitTimeSeconds: 0), deadline: nil
                    ).messages ?? []
                if messages.isEmpty { break }
                for message in messages {
                    if let handle = message.receiptHandle { handles.append(handle) }
                    guard let id = message.messageID, seen[id] == nil else { continue }
                    seen[id] = DeadLetter(
                        messageID: id, body: message.body ?? "",
                        receiveCount: message.attributes?["ApproximateReceiveCount"].flatMap { Int($0) },
                        sentTimestamp: message.attributes?["SentTimestamp"],
                        sourceARN: message.attributes?["DeadLetterQueueSourceArn"],
                        attributes: message.messageAttributes ?? [:])
                }
            }
        } catch {
            // Release what is held before reporting: the messages must not stay hidden.
            await releaseQuietly(handles, queue: url)
            throw error
        }
        try await release(handles, queue: url)
        return seen.values.sorted { ($0.sentTimestamp ?? "", $0.messageID) < ($1.sentTimestamp ?? "", $1.messageID) }
    }

    private func release(_ handles: [String], queue url: String) async throws {
        for handle in handles {
            try await sqs.changeMessageVisibility(
                SQS.ChangeMessageVisibilityRequest(queueURL: url, receiptHandle: handle, visibilityTimeout: 0),
                deadline: nil)
        }
    }

    /// On the error path: best effort, the original error is the one to report.
    private func releaseQuietly(_ handles: [String], queue url: String) async {
        for handle in handles {
            try? await sqs.changeMessageVisibility(
                SQS.ChangeMessageVisibilityRequest(queueURL: url, receiptHandle: handle, visibilityTimeout: 0),
                deadline: nil)
        }
    }

    /// The queue whose redrive policy names this DLQ.
    public func sourceQueue(of dlq: String) async throws -> String {
        let dlqURL = try await url(of: dlq)
        guard let dlqARN = try await admin.queueAttributes(url: dlqURL, names: ["QueueArn"])["QueueArn"] else {
            throw DeadLetterQueueError.noSource(dlq: dlq)
        }
        var sources: [String] = []
        for url in try await admin.listQueues() where url != dlqURL {
            guard let policy = try await admin.queueAttributes(url: url, names: ["RedrivePolicy"])["RedrivePolicy"],
                let object = try? JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any],
                object["deadLetterTargetArn"] as? String == dlqARN
            else { continue }
            sources.append(url)
        }
        guard let source = sources.first else { throw DeadLetterQueueError.noSource(dlq: dlq) }
        guard sources.count == 1 else { throw DeadLetterQueueError.ambiguousSource(dlq: dlq, candidates: sources) }
        return source
    }

    /// Moves every message back to its source queue: sent with its body and message
    /// attributes, then deleted from the DLQ only once SQS took it. A message is never lost;
    /// if a delete fails after the send, it is reported, being in both queues.
    public func replay(_ dlq: String, to target: String? = nil) async throws -> ReplayResult {
        let dlqURL = try await url(of: dlq)
        let sourceURL = if let target { try await url(of: target) } else { try await sourceQueue(of: dlq) }
        let fifo = sourceURL.hasSuffix(".fifo")
        var result = ReplayResult(sourceQueueURL: sourceURL, moved: 0, sendFailures: [], deleteFailures: [])
        while true {
            let messages =
                try await sqs.receiveMessage(
                    SQS.ReceiveMessageRequest(
                        queueURL: dlqURL, messageSystemAttributeNames: ["All"], messageAttributeNames: ["All"],
                        maxNumberOfMessages: 10,
                        visibilityTimeout: 120, waitTimeSeconds: 1), deadline: nil
                ).messages ?? []
            if messages.isEmpty { break }
            let entries = messages.enumerated().map { index, message in
                SQS.SendMessageBatchRequestEntry(
                    id: "m\(index)", messageBody: message.body ?? "",
                    messageAttributes: (message.messageAttributes?.isEmpty ?? true) ? nil : message.messageAttributes,
                    messageDeduplicationID: fifo
                        ? message.attributes?[.messageDeduplicationID] ?? message.messageID : nil,
                    messageGroupID: fifo ? message.attributes?[.messageGroupID] : nil)
            }
            let sent = try await sqs.sendMessageBatch(
                SQS.SendMessageBatchRequest(queueURL: sourceURL, entries: entries), deadline: nil)
            result.sendFailures += sent.failed.map { failure in
                "\(messages[Int(failure.id.dropFirst()) ?? 0].messageID ?? "?"): \(failure.code)\(failure.message.map { " \($0)" } ?? "")"
            }
            let sentIDs = Set(sent.successful.map(\.id))
            let deletions = messages.enumerated().compactMap { index, message -> SQS.DeleteMessageBatchRequestEntry? in
                guard sentIDs.contains("m\(index)"), let handle = message.receiptHandle else { return nil }
                return SQS.DeleteMessageBatchRequestEntry(id: "m\(index)", receiptHandle: handle)
            }
            if !deletions.isEmpty {
                let deleted = try await sqs.deleteMessageBatch(
                    SQS.DeleteMessageBatchRequest(queueURL: dlqURL, entries: deletions), deadline: nil)
                result.moved += deleted.successful.count
                result.deleteFailures += deleted.failed.map { failure in
                    "\(messages[Int(failure.id.dropFirst()) ?? 0].messageID ?? "?"): \(failure.code)\(failure.message.map { " \($0)" } ?? "")"
                }
            }
            // Refused sends stay hidden under the visibility timeout, so the loop ends
            // instead of trying them again and again; they are reported.
        }
        return result
    }
}
