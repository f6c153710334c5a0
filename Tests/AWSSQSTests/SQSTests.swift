import AWSCore
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import Testing

@testable import AWSSQS

@Suite struct SQSWireTests {
    final class Box: Sendable { let requests = Mutex<[HTTPServerRequest]>([]) }

    func client(answering body: String, box: Box) throws -> (SQSClient, LoopbackHTTPServer) {
        let server = try LoopbackHTTPServer { request in
            box.requests.withLock { $0.append(request) }
            return .status(200, body, contentType: "application/x-amz-json-1.0")
        }
        let configuration = AWSConfiguration(
            region: "eu-west-1", credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret-key-123"),
            endpointURL: "http://\(server.authority)")
        return (SQSClient(configuration: configuration), server)
    }

    @Test func sendMessageUsesTheJSONProtocolWithBase64Blobs() async throws {
        let box = Box()
        let (sqs, server) = try client(answering: #"{"MessageId":"m-1","MD5OfMessageBody":"x"}"#, box: box)
        defer { server.stop() }
        let output = try await sqs.sendMessage(
            SendMessageInput(
                queueUrl: "https://sqs/1/q", messageBody: "hi", messageAttributes: ["b": .binary(Data([1, 2]))],
                messageGroupID: "g"))
        #expect(output.messageID == "m-1")
        let request = try #require(box.requests.withLock { $0.first })
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
        let box = Box()
        let (sqs, server) = try client(answering: "{}", box: box)
        defer { server.stop() }
        #expect(try await sqs.receiveMessage(ReceiveMessageInput(queueUrl: "q")).messages.isEmpty)
        try await sqs.deleteMessage(DeleteMessageInput(queueUrl: "q", receiptHandle: "r"))
        try await sqs.changeMessageVisibility(
            ChangeMessageVisibilityInput(queueUrl: "q", receiptHandle: "r", visibilityTimeout: 0))
        let batch = try await sqs.deleteMessageBatch(DeleteMessageBatchInput(queueUrl: "q", entries: []))
        #expect(batch.successful.isEmpty && batch.failed.isEmpty)
        #expect(
            box.requests.withLock { $0.map { $0.headers["X-Amz-Target"] ?? "" } } == [
                "AmazonSQS.ReceiveMessage", "AmazonSQS.DeleteMessage", "AmazonSQS.ChangeMessageVisibility",
                "AmazonSQS.DeleteMessageBatch",
            ])
    }

    @Test func batchFailuresArePerEntry() throws {
        let json =
            #"{"Successful":[{"Id":"a","MessageId":"m","MD5OfMessageBody":"x"}],"Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidMessageContents","Message":"bad"}]}"#
        let output = try JSONDecoder().decode(SendMessageBatchOutput.self, from: Data(json.utf8))
        #expect(output.successful.map(\.id) == ["a"])
        #expect(
            output.failed == [
                SQSBatchResultErrorEntry(id: "b", senderFault: true, code: "InvalidMessageContents", message: "bad")
            ])
    }
}
