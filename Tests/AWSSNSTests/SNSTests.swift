import AWSCore
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

@testable import AWSSNS

@Suite struct SNSQueryTests {
    @Test func publishFlattensAttributesAndFIFOIds() {
        let parameters = SNS.PublishInput(
            topicARN: "arn:aws:sns:eu-west-1:1:t.fifo", message: "hello world", subject: "greeting",
            messageAttributes: ["type": .string("order"), "blob": .binary([1, 2]), "n": .number(3)],
            messageDeduplicationID: "d-1", messageGroupID: "g-1"
        ).queryParameters
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
        let parameters = SNS.PublishBatchInput(
            topicARN: "t",
            publishBatchRequestEntries: [
                .init(id: "a", message: "m1", messageAttributes: ["k": .string("v")], messageGroupID: "g"),
                .init(id: "b", message: "m2"),
            ]
        ).queryParameters
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
        let root = try XMLElementNode.parse(Array(xml.utf8))
        let output = try SNS.PublishBatchResponse(xml: try #require(root.descendant("PublishBatchResult")))
        #expect(output.successful == [SNS.PublishBatchResultEntry(id: "a", messageID: "m-1", sequenceNumber: "10")])
        #expect(
            output.failed == [
                SNS.BatchResultErrorEntry(id: "b", code: "InvalidParameter", message: "bad <attr>", senderFault: true)
            ])
    }

    @Test func publishPostsASignedFormAndReadsTheXMLResult() async throws {
        let endpoint = try ScriptedEndpoint([
            ScriptedEndpoint.xml(
                200,
                "<PublishResponse><PublishResult><MessageId>abc-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>"
            )
        ])
        let client = SNSClient(configuration: endpoint.configuration(region: "eu-west-1"))
        let output = try await client.publish(SNS.PublishInput(topicARN: "arn:t", message: "a b"))
        #expect(output == SNS.PublishResponse(messageID: "abc-1"))
        let request = try #require(endpoint.received.first)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=a+b")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.headers["Authorization"]?.contains("/eu-west-1/sns/aws4_request") == true)
    }
}
