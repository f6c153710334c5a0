import AWSSNS
import CloudEvents
import EventProcessing
import Foundation
import Idempotency
import IdempotencyTesting
import LambdaEvents
import LambdaRuntime
import LambdaTesting
import TestSupport
import Testing

// README:begin
/// Sends a receipt for each `order.created` event, once, however often SQS delivers it.
struct ReceiptSender: LambdaHandler {
    let store: any IdempotencyStore  // DynamoDBIdempotencyStore in the function
    let sns: any SNSClientProtocol
    let receiptsTopicARN: String

    func handle(_ batch: SQSEvent, context: LambdaContext) async throws -> SQSBatchResponse {
        let deadline = InvocationDeadline(epochMilliseconds: context.deadlineMilliseconds, instant: context.deadline)
        // Raw, SNS-carried or EventBridge-carried CloudEvents; failures reported per message;
        // every log line carries the event id as correlationId.
        return await CloudEventBatch.process(batch, logger: context.logger) { received, logger in
            let event = received.event
            guard event.type == "order.created" else { return }
            let sent = try await store.idempotent(
                key: "receipt#\(event.id)", payloadHash: event.payloadHash, deadline: deadline
            ) {
                try await sns.publish(
                    SNS.PublishInput(
                        topicARN: receiptsTopicARN, message: "Thank you for order \(event.subject ?? event.id)"),
                    deadline: context.deadline
                ).messageID ?? ""
            }
            logger.info(sent.isReplay ? "receipt already sent" : "receipt sent")
        }
    }
}

@Test func aRedeliveredOrderGetsOneReceipt() async throws {
    let sns = RecordingSNS()
    let sender = ReceiptSender(
        store: InMemoryIdempotencyStore(nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)),
        sns: sns, receiptsTopicARN: "arn:aws:sns:us-east-1:123456789012:receipts")
    let batch = SQSEvent.make(bodies: [EventGenerator.cloudEvent(type: "order.created")])
    for _ in 0..<2 {
        let response = try await LambdaTest.invoke(sender, encoding: batch).decode(as: SQSBatchResponse.self)
        #expect(response.batchItemFailures.isEmpty)
    }
    #expect(sns.published.count == 1)
}
// README:end

@Test func theREADMEShowsTheCompiledExample() throws {
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
    let begin = try #require(source.range(of: "// README:begin\n"))
    let end = try #require(source.range(of: "// README:end"))
    let example = String(source[begin.upperBound..<end.lowerBound])
    let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
    #expect(
        readme.contains("```swift\n" + example + "```"),
        "README.md's example differs from Tests/DomainTests/ReadmeExample.swift")
}
