import AWSCore
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import Testing

@testable import AWSSNS

@Suite struct SNSQueryTests {
    @Test func publishFlattensAttributesAndFIFOIds() {
        let parameters = SNSQuery.parameters(
            for: PublishInput(
                topicARN: "arn:aws:sns:eu-west-1:1:t.fifo", message: "hello world", subject: "greeting",
                messageAttributes: ["type": .string("order"), "blob": .binary(Data([1, 2])), "n": .number(3)],
                messageDeduplicationID: "d-1", messageGroupID: "g-1"))
        #expect(
            parameters.pairs.map { "\($0.0)=\($0.1)" } == [
                "TopicArn=arn:aws:sns:eu-west-1:1:t.fifo", "Message=hello world", "Subject=greeting",
                "MessageAttributes.entry.1.Name=blob", "MessageAttributes.entry.1.Value.DataType=Binary",
                "MessageAttributes.entry.1.Value.BinaryValue=AQI=",
                "MessageAttributes.entry.2.Name=n", "MessageAttributes.entry.2.Value.DataType=Number",
                "MessageAttributes.entry.2.Value.StringValue=3",
                "MessageAttributes.entry.3.Name=type", "MessageAttributes.entry.3.Value.DataType=String",
                "MessageAttributes.entry.3.Value.StringValue=order",
                "MessageDeduplicationId=d-1", "MessageGroupId=g-1",
            ])
    }

    @Test func publishBatchNumbersMembersFromOne() {
        let parameters = SNSQuery.parameters(
            for: PublishBatchInput(
                topicARN: "t",
                publishBatchRequestEntries: [
                    .init(id: "a", message: "m1", messageAttributes: ["k": .string("v")], messageGroupID: "g"),
                    .init(id: "b", message: "m2"),
                ]))
        let names = parameters.pairs.map(\.0)
        #expect(
            names == [
                "TopicArn", "PublishBatchRequestEntries.member.1.Id", "PublishBatchRequestEntries.member.1.Message",
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name",
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType",
                "PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue",
                "PublishBatchRequestEntries.member.1.MessageGroupId",
                "PublishBatchRequestEntries.member.2.Id", "PublishBatchRequestEntries.member.2.Message",
            ])
    }

    @Test func publishBatchResultReadsSuccessesAndFailures() throws {
        let xml = """
            <PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>
            <Successful><member><Id>a</Id><MessageId>m-1</MessageId><SequenceNumber>10</SequenceNumber></member></Successful>
            <Failed><member><Id>b</Id><Code>InvalidParameter</Code><Message>bad &lt;attr&gt;</Message><SenderFault>true</SenderFault></member></Failed>
            </PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>
            """
        let output = SNSQuery.publishBatchOutput(from: try XMLElementNode.parse(Array(xml.utf8)))
        #expect(output.successful == [PublishBatchResultEntry(id: "a", messageID: "m-1", sequenceNumber: "10")])
        #expect(
            output.failed == [
                SNSBatchResultErrorEntry(id: "b", code: "InvalidParameter", message: "bad <attr>", senderFault: true)
            ])
    }

    @Test func publishPostsASignedFormAndReadsTheXMLResult() async throws {
        final class Box: Sendable { let requests = Mutex<[HTTPServerRequest]>([]) }
        let box = Box()
        let server = try LoopbackHTTPServer { request in
            box.requests.withLock { $0.append(request) }
            return .status(
                200,
                "<PublishResponse><PublishResult><MessageId>abc-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>",
                contentType: "text/xml")
        }
        defer { server.stop() }
        let client = SNSClient(
            configuration: AWSConfiguration(
                region: "eu-west-1",
                credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret-key-123"),
                endpointURL: "http://\(server.authority)"))
        let output = try await client.publish(PublishInput(topicARN: "arn:t", message: "a b"))
        #expect(output == PublishOutput(messageID: "abc-1"))
        let request = try #require(box.requests.withLock { $0.first })
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=a+b")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.headers["Authorization"]?.contains("/eu-west-1/sns/aws4_request") == true)
    }
}
