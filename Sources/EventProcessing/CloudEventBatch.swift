import CloudEvents
import LambdaEvents
import LambdaMetrics
import Logging

/// An error that makes the rest of a batch fail without being tried: the dependency every
/// message needs is known to be down (an open circuit breaker), so trying them would only
/// spend the invocation's time, and SQS should redeliver them later instead.
public protocol BatchStoppingError: Error {}

/// Runs a handler over the CloudEvents of an SQS batch and reports only the failed messages,
/// as an event source mapping with `ReportBatchItemFailures` expects.
///
/// - A message that does not carry a valid CloudEvent fails (after `maxReceiveCount` the
///   queue's redrive policy moves it to the DLQ), logged with its message id.
/// - On a FIFO queue, once a message of a group fails, the later messages of that group in the
///   batch fail without being handled: SQS redelivers them after the failed one, so order holds.
/// - A ``BatchStoppingError`` fails that message and every later one, untried.
/// - Each failed message adds one to the invocation's `Failed` metric.
/// - Every line logged for a message carries its `messageId` and, once known, the event's id
///   as `correlationId`; the handler gets that logger.
public enum CloudEventBatch {
    public static func process(
        _ batch: SQSEvent,
        logger: Logger,
        _ handle: (ReceivedCloudEvent, Logger) async throws -> Void
    ) async -> SQSBatchResponse {
        var failed: [String] = []
        var failedGroups: Set<String> = []
        var stoppedBy: (any Error)?

        for message in batch.records {
            var logger = logger
            logger[metadataKey: "messageId"] = .string(message.messageID)
            let group = message.attributes.messageGroupID
            if let group { logger[metadataKey: "messageGroupId"] = .string(group) }
            func fail() {
                Metrics.add("Failed")
                failed.append(message.messageID)
                if let group { failedGroups.insert(group) }
            }

            if let stoppedBy {
                logger.warning("not tried: an earlier message stopped the batch", metadata: ["cause": "\(stoppedBy)"])
                fail()
                continue
            }
            if let group, failedGroups.contains(group) {
                logger.warning(
                    "not tried: an earlier message of its FIFO group failed in this batch, so it waits to keep the order"
                )
                fail()
                continue
            }
            let received: ReceivedCloudEvent
            do {
                received = try message.receivedCloudEvent()
            } catch {
                logger.error(
                    "the message does not carry a CloudEvent",
                    metadata: [
                        "field": .string(error.field), "reason": .string(error.reason),
                        "receiveCount": "\(message.attributes.approximateReceiveCount)",
                    ])
                fail()
                continue
            }
            logger[metadataKey: "correlationId"] = .string(received.event.id)
            logger[metadataKey: "eventType"] = .string(received.event.type)
            do {
                try await handle(received, logger)
            } catch let error as any BatchStoppingError {
                logger.error("failed; the rest of the batch is left for redelivery", metadata: ["error": "\(error)"])
                stoppedBy = error
                fail()
            } catch {
                logger.error(
                    "failed",
                    metadata: ["error": "\(error)", "receiveCount": "\(message.attributes.approximateReceiveCount)"])
                fail()
            }
        }
        if !failed.isEmpty {
            logger.info(
                "batch done with failures",
                metadata: ["failed": "\(failed.count)", "messages": "\(batch.records.count)"])
        }
        return SQSBatchResponse(failedMessageIDs: failed)
    }
}
