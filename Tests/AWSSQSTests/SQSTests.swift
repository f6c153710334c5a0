import AWSCore
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

@testable import AWSSQS

@Suite struct SQSWireTests {
    func client(answering body: String) throws -> (SQSClient, ScriptedEndpoint) {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.json(200, body)])
        return (SQSClient(configuration: endpoint.configuration()), endpoint)
    }

    @Test func sendMessageUsesTheJSONProtocolWithBase64Blobs() async throws {
        let (sqs, endpoint) = try client(answering: #"{"MessageId":"m-1","MD5OfMessageBody":"x"}"#)
        let output = try await sqs.sendMessage(
            SQS.SendMessageRequest(
                queueURL: "https://sqs/1/q", messageBody: "hi", messageAttributes: ["b": .binary([1, 2])],
                messageGroupID: "g"))
        #expect(output.messageID == "m-1")
        let request = try #require(endpoint.received.first)
        #expect(request.headers["X-Amz-Target"] == "AmazonSQS.SendMessage")
        let body = try JSONSerialization.jsonObject(with: Data(request.body)) as! [String: Any]
        #expect(body["QueueUrl"] as? String == "https://sqs/1/q")
        #expect(body["MessageGroupId"] as? String == "g")
        #expect(
            ((body["MessageAttributes"] as? [String: Any])?["b"] as? [String: String]) == [
                "DataType": "Binary", "BinaryValue": "AQI=",
            ])
    }

    @Test func emptyResultsDecodeAsEmpty() async throws {
        let (sqs, endpoint) = try client(answering: "{}")
        #expect(try await sqs.receiveMessage(SQS.ReceiveMessageRequest(queueURL: "q")).messages == nil)
        try await sqs.deleteMessage(SQS.DeleteMessageRequest(queueURL: "q", receiptHandle: "r"))
        try await sqs.changeMessageVisibility(
            SQS.ChangeMessageVisibilityRequest(queueURL: "q", receiptHandle: "r", visibilityTimeout: 0))
        #expect(
            endpoint.received.map { $0.headers["X-Amz-Target"] ?? "" } == [
                "AmazonSQS.ReceiveMessage", "AmazonSQS.DeleteMessage", "AmazonSQS.ChangeMessageVisibility",
            ])
    }

    @Test func batchFailuresArePerEntry() throws {
        let json =
            #"{"Successful":[{"Id":"a","MessageId":"m","MD5OfMessageBody":"x"}],"Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidMessageContents","Message":"bad"}]}"#
        let output = try JSONDecoder().decode(SQS.SendMessageBatchResult.self, from: Data(json.utf8))
        #expect(output.successful.map(\.id) == ["a"])
        #expect(
            output.failed == [
                SQS.BatchResultErrorEntry(id: "b", senderFault: true, code: "InvalidMessageContents", message: "bad")
            ])
    }

    /// Inside an invocation, every call carries its trace as X-Amzn-Trace-Id, and a message sent
    /// carries it as its AWSTraceHeader unless it has one.
    @Test func theInvocationsTraceTravelsWithEveryCallAndMessage() async throws {
        let (sqs, endpoint) = try client(answering: #"{"MessageId":"m-1"}"#)
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        try await InvocationTrace.$traceHeader.withValue(trace) {
            _ = try await sqs.sendMessage(SQS.SendMessageRequest(queueURL: "q", messageBody: "a"))
            _ = try await sqs.sendMessage(
                SQS.SendMessageRequest(
                    queueURL: "q", messageBody: "b",
                    messageSystemAttributes: [.awsTraceHeader: .init(stringValue: "Root=mine", dataType: "String")]))
        }
        _ = try await sqs.sendMessage(SQS.SendMessageRequest(queueURL: "q", messageBody: "c"))
        let requests = endpoint.received
        #expect(requests.map { $0.headers["X-Amzn-Trace-Id"] } == [trace, trace, nil])
        let traceHeaders = try requests.map { request -> String? in
            let body = try JSONSerialization.jsonObject(with: Data(request.body)) as! [String: Any]
            let system = body["MessageSystemAttributes"] as? [String: [String: String]]
            return system?["AWSTraceHeader"]?["StringValue"]
        }
        #expect(traceHeaders == [trace, "Root=mine", nil])
        // The header is not signed: proxies may rewrite it.
        #expect(requests[0].headers["Authorization"]?.contains("x-amzn-trace-id") == false)
    }
}
