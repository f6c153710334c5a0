import AWSCore
import AWSDynamoDB
import AWSSNS
import Foundation
import Idempotency
import LambdaEvents
import LambdaHTTP
import LambdaRuntime
import LambdaTesting
import NotifyFunction
import Synchronization
import Testing

/// SNS takes the first Publish, but its answer never reaches notify: what a connection
/// dropped after the request was sent looks like to the caller, after its retries.
private final class FirstPublishAnswerLost: SNSClientProtocol {
    let sns: SNSClient
    private let lost = Mutex(false)

    init(_ sns: SNSClient) { self.sns = sns }

    func publish(_ input: SNS.PublishInput, deadline: ContinuousClock.Instant?) async throws -> SNS.PublishResponse {
        let output = try await sns.publish(input, deadline: deadline)
        guard
            lost.withLock({ lost in
                defer { lost = true }
                return !lost
            })
        else { return output }
        throw AWSTransportError.network(
            service: "sns", operation: "Publish", attempts: 1,
            underlying: .transferFailed(url: sns.transport.endpoint, reason: "connection closed before the answer"))
    }

    func publishBatch(_ input: SNS.PublishBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SNS.PublishBatchResponse
    {
        try await sns.publishBatch(input, deadline: deadline)
    }
}

/// notify's one-notification guarantee when it cannot know whether its Publish took effect:
/// the effect fails, the claim is abandoned, SQS redelivers, notify publishes again. Only the
/// topic can tell the second Publish from a new notification.
@Suite struct NotifyLostAnswerTests {
    static let alert =
        #"{"specversion":"1.0","id":"lost-answer-1","source":"urn:test:notify","type":"inventory.alert","subject":"sku-7","data":{"left":2}}"#

    /// Two deliveries of one alert whose first Publish answer was lost; the messages the
    /// topic's subscriber received.
    func deliverTwice(fifo: Bool) async throws -> [String] {
        let aws = try AWS()
        let table = try await aws.createTable("idempotency", sortKey: false)
        let topic = try await aws.createTopicWithQueue("notifications", fifo: fifo)
        let handler = NotifyHandler(
            store: DynamoDBIdempotencyStore(client: aws.dynamoDB, tableName: table),
            sns: FirstPublishAnswerLost(aws.sns),
            notificationsTopicARN: topic.topicARN, notifyTypes: [EventTypePattern("*.alert")], circuitBreaker: nil)

        let first = SQSEvent.make(bodies: [Self.alert])
        let failed = try await handler.handle(first, context: .testing(timeout: .seconds(10), logs: CapturedLogs()))
        #expect(
            failed.batchItemFailures == [.init(itemIdentifier: first.records[0].messageID)],
            "the lost answer fails the message, for SQS to redeliver")

        let redelivered = SQSEvent.make(bodies: [Self.alert], receiveCount: 2)
        let retried = try await handler.handle(
            redelivered, context: .testing(timeout: .seconds(10), logs: CapturedLogs()))
        #expect(retried.batchItemFailures.isEmpty)
        // A third delivery finds the completed record and publishes nothing.
        #expect(
            try await handler.handle(
                SQSEvent.make(bodies: [Self.alert], receiveCount: 3),
                context: .testing(timeout: .seconds(10), logs: CapturedLogs())
            ).batchItemFailures.isEmpty)
        return try await aws.drain(topic.queueURL).compactMap(\.body)
    }

    @Test func aFIFONotificationsTopicSendsOneNotificationThoughPublishWasRepeated() async throws {
        let received = try await deliverTwice(fifo: true)
        #expect(received.count == 1, "\(received)")
        #expect(received.first?.contains("event id: lost-answer-1") == true)
    }

    /// Why the template's notifications topic is FIFO: a standard topic has no way to drop
    /// the repeated Publish.
    @Test func aStandardTopicDeliversTheRepeatedPublishTwice() async throws {
        #expect(try await deliverTwice(fifo: false).count == 2)
    }
}
