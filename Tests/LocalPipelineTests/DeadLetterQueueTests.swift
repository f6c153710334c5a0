import AWSSQS
import Foundation
import TestSupport
import Testing

@testable import LocalPipeline

@Suite struct DeadLetterQueueTests {
    /// Replay finds the source through its redrive policy and moves every message back with
    /// its body and attributes; listing leaves the messages where they were.
    @Test func listAndReplayMoveMessagesBackToTheirSource() async throws {
        let admin = AWSAdmin(configuration: try Endpoint.configuration())
        let dlqName = Endpoint.uniqueName("dlq")
        let dlqURL = try await admin.createQueue(name: dlqName, attributes: [:])
        let dlqARN = try #require(try await admin.queueAttributes(url: dlqURL, names: ["QueueArn"])["QueueArn"])
        let sourceURL = try await admin.createQueue(
            name: Endpoint.uniqueName("source"),
            attributes: [
                "RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":3}"#
            ])
        for index in 0..<13 {
            _ = try await admin.sqs.sendMessage(
                SQS.SendMessageRequest(
                    queueURL: dlqURL, messageBody: "dead-\(index)", messageAttributes: ["type": .string("t\(index)")]))
        }
        let queues = DeadLetterQueues(admin: admin)
        let listed = try await queues.list(dlqName)
        #expect(listed.count == 13)
        #expect(listed.first { $0.body == "dead-4" }?.attributes["type"]?.stringValue == "t4")
        #expect(try await queues.list(dlqName).count == 13, "listing releases the messages")

        #expect(try await queues.sourceQueue(of: dlqName) == sourceURL)
        let result = try await queues.replay(dlqName)
        #expect(result.moved == 13)
        #expect(result.sourceQueueURL == sourceURL)
        #expect(result.sendFailures.isEmpty && result.deleteFailures.isEmpty)
        #expect(try await queues.list(dlqURL).isEmpty)
        let back = try await queues.list(sourceURL)
        #expect(Set(back.map(\.body)) == Set((0..<13).map { "dead-\($0)" }))
        #expect(back.first { $0.body == "dead-7" }?.attributes["type"]?.stringValue == "t7")
    }

    @Test func aDLQNoQueueNamesNeedsAnExplicitTarget() async throws {
        let admin = AWSAdmin(configuration: try Endpoint.configuration())
        let lonely = try await admin.createQueue(name: Endpoint.uniqueName("lonely"), attributes: [:])
        await #expect(throws: DeadLetterQueueError.self) { try await DeadLetterQueues(admin: admin).replay(lonely) }
    }
}
