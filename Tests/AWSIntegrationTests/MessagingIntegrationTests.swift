import AWSEventBridge
import AWSSNS
import AWSSQS
import Foundation
import TestSupport
import Testing
import UTCTime

@testable import AWSCore

@Suite struct SQSIntegrationTests {
    @Test func queueOperationsRoundTrip() async throws {
        let sqs = SQSClient(configuration: try Endpoint.configuration())
        let name = Endpoint.uniqueName("work")
        let created = try await Endpoint.json(sqs.transport, "CreateQueue", ["QueueName": name])
        let queueURL = try #require(try await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: name)).queueURL)
        #expect(queueURL == created["QueueUrl"] as? String)

        let sent = try await sqs.sendMessage(
            SQS.SendMessageRequest(
                queueURL: queueURL, messageBody: #"{"orderId":"o-1"}"#,
                messageAttributes: [
                    "type": .string("order.created"), "attempt": .number(1), "blob": .binary([9, 8]),
                ]))
        #expect(sent.messageID != nil)
        #expect(sent.md5OfMessageBody == "a5d7ee5c9e2a4f1fa1b3d3ee8d8fa6a8" || sent.md5OfMessageBody?.count == 32)

        let batch = try await sqs.sendMessageBatch(
            SQS.SendMessageBatchRequest(
                queueURL: queueURL,
                entries: [
                    .init(id: "a", messageBody: "second"), .init(id: "b", messageBody: "third", delaySeconds: 0),
                ]))
        #expect(batch.successful.map(\.id).sorted() == ["a", "b"])
        #expect(batch.failed.isEmpty)

        let attributes = try await sqs.getQueueAttributes(
            SQS.GetQueueAttributesRequest(
                queueURL: queueURL, attributeNames: ["ApproximateNumberOfMessages", "QueueArn"]))
        #expect(attributes.attributes?["ApproximateNumberOfMessages"] == "3")
        #expect(attributes.attributes?["QueueArn"]?.hasSuffix(":\(name)") == true)

        let received = try await sqs.receiveMessage(
            SQS.ReceiveMessageRequest(
                queueURL: queueURL, messageSystemAttributeNames: ["ApproximateReceiveCount"],
                messageAttributeNames: ["All"],
                maxNumberOfMessages: 10, visibilityTimeout: 30, waitTimeSeconds: 1))
        #expect((received.messages ?? []).count == 3)
        let first = try #require((received.messages ?? []).first { $0.messageID == sent.messageID })
        #expect(first.body == #"{"orderId":"o-1"}"#)
        #expect(first.messageAttributes?["type"] == .string("order.created"))
        #expect(first.messageAttributes?["attempt"]?.stringValue == "1")
        #expect(first.messageAttributes?["blob"]?.binaryValue == [9, 8])
        #expect(first.attributes?["ApproximateReceiveCount"] == "1")

        // Make the first visible again, then receive it a second time.
        try await sqs.changeMessageVisibility(
            SQS.ChangeMessageVisibilityRequest(
                queueURL: queueURL, receiptHandle: first.receiptHandle!, visibilityTimeout: 0))
        let again = try await sqs.receiveMessage(
            SQS.ReceiveMessageRequest(
                queueURL: queueURL, messageSystemAttributeNames: ["ApproximateReceiveCount"], maxNumberOfMessages: 10))
        let redelivered = try #require((again.messages ?? []).first)
        #expect(redelivered.messageID == sent.messageID)
        #expect(redelivered.attributes?["ApproximateReceiveCount"] == "2")

        try await sqs.deleteMessage(
            SQS.DeleteMessageRequest(queueURL: queueURL, receiptHandle: redelivered.receiptHandle!))
        let others = (received.messages ?? []).filter { $0.messageID != sent.messageID }
        let deleted = try await sqs.deleteMessageBatch(
            SQS.DeleteMessageBatchRequest(
                queueURL: queueURL,
                entries: others.enumerated().map {
                    .init(id: "m\($0.offset)", receiptHandle: $0.element.receiptHandle!)
                }))
        #expect(deleted.successful.map(\.id).sorted() == ["m0", "m1"])
        let remaining = try await sqs.getQueueAttributes(
            SQS.GetQueueAttributesRequest(queueURL: queueURL, attributeNames: ["All"]))
        #expect(remaining.attributes?["ApproximateNumberOfMessages"] == "0")
        #expect(remaining.attributes?["ApproximateNumberOfMessagesNotVisible"] == "0")
    }

    @Test func aMissingQueueIsATypedError() async throws {
        let sqs = SQSClient(configuration: try Endpoint.configuration())
        let error = await #expect(throws: AWSError.self) {
            try await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: Endpoint.uniqueName("absent")))
        }
        #expect(error?.code == .queueDoesNotExist)
        #expect(error?.service == "SQS")
        #expect(error?.statusCode == 400)
    }
}

@Suite struct FanOutIntegrationTests {
    func makeQueue(_ sqs: SQSClient) async throws -> (url: String, arn: String) {
        let name = Endpoint.uniqueName("subscriber")
        let url = try #require(
            try await Endpoint.json(sqs.transport, "CreateQueue", ["QueueName": name])["QueueUrl"] as? String)
        let arn = try #require(
            try await sqs.getQueueAttributes(SQS.GetQueueAttributesRequest(queueURL: url, attributeNames: ["QueueArn"]))
                .attributes?["QueueArn"])
        return (url, arn)
    }

    func drain(_ sqs: SQSClient, _ url: String, expecting count: Int) async throws -> [SQS.Message] {
        var messages: [SQS.Message] = []
        _ = try await eventually { () async throws -> Bool? in
            messages +=
                try await sqs.receiveMessage(
                    SQS.ReceiveMessageRequest(queueURL: url, maxNumberOfMessages: 10, waitTimeSeconds: 1)
                ).messages ?? []
            return messages.count >= count ? true : nil
        }
        // Anything beyond the expected would arrive now too.
        messages +=
            try await sqs.receiveMessage(
                SQS.ReceiveMessageRequest(queueURL: url, maxNumberOfMessages: 10, waitTimeSeconds: 1)
            ).messages ?? []
        return messages
    }

    @Test func snsPublishReachesOnlyTheQueueWhoseFilterPolicyMatches() async throws {
        let configuration = try Endpoint.configuration()
        let sns = SNSClient(configuration: configuration)
        let sqs = SQSClient(configuration: configuration)
        let topicARN = try #require(
            try await sns.transport.sendQuery(
                operation: "CreateTopic",
                parameters: {
                    var p = QueryParameters()
                    p.add("Name", Endpoint.uniqueName("events"))
                    return p
                }(),
                deadline: nil
            ).descendant("TopicArn")?.text)
        let queue = try await makeQueue(sqs)
        var subscribe = QueryParameters()
        subscribe.add("TopicArn", topicARN)
        subscribe.add("Protocol", "sqs")
        subscribe.add("Endpoint", queue.arn)
        subscribe.add("Attributes.entry.1.key", "FilterPolicy")
        subscribe.add("Attributes.entry.1.value", #"{"type": ["order.created"]}"#)
        subscribe.add("Attributes.entry.2.key", "RawMessageDelivery")
        subscribe.add("Attributes.entry.2.value", "true")
        _ = try await sns.transport.sendQuery(operation: "Subscribe", parameters: subscribe, deadline: nil)

        let matching = try await sns.publish(
            SNS.PublishInput(
                topicARN: topicARN, message: #"{"orderId":"o-1"}"#, subject: "order created",
                messageAttributes: ["type": .string("order.created"), "priority": .number(5)]))
        #expect(matching.messageID != nil)
        _ = try await sns.publish(
            SNS.PublishInput(
                topicARN: topicARN, message: "ignored", messageAttributes: ["type": .string("order.cancelled")]))
        let batch = try await sns.publishBatch(
            SNS.PublishBatchInput(
                topicARN: topicARN,
                publishBatchRequestEntries: [
                    .init(id: "match", message: "from batch", messageAttributes: ["type": .string("order.created")]),
                    .init(id: "skip", message: "filtered out", messageAttributes: ["type": .string("other")]),
                ]))
        #expect((batch.successful ?? []).compactMap(\.id).sorted() == ["match", "skip"])
        #expect((batch.successful ?? []).allSatisfy { $0.messageID != nil })
        #expect(batch.failed?.isEmpty ?? true)

        let delivered = try await drain(sqs, queue.url, expecting: 2)
        #expect(delivered.compactMap(\.body).sorted() == ["from batch", #"{"orderId":"o-1"}"#])
    }

    @Test func fifoTopicPublishCarriesGroupAndDeduplicationIds() async throws {
        let configuration = try Endpoint.configuration()
        let sns = SNSClient(configuration: configuration)
        let sqs = SQSClient(configuration: configuration)
        let name = Endpoint.uniqueName("ledger")
        var create = QueryParameters()
        create.add("Name", name + ".fifo")
        create.add("Attributes.entry.1.key", "FifoTopic")
        create.add("Attributes.entry.1.value", "true")
        let topicARN = try #require(
            try await sns.transport.sendQuery(operation: "CreateTopic", parameters: create, deadline: nil).descendant(
                "TopicArn")?.text)
        let queueURL = try #require(
            try await Endpoint.json(
                sqs.transport, "CreateQueue",
                [
                    "QueueName": name + ".fifo", "Attributes": ["FifoQueue": "true"],
                ])["QueueUrl"] as? String)
        let queueArn = try #require(
            try await sqs.getQueueAttributes(
                SQS.GetQueueAttributesRequest(queueURL: queueURL, attributeNames: ["QueueArn"])
            )
            .attributes?["QueueArn"])
        var subscribe = QueryParameters()
        subscribe.add("TopicArn", topicARN)
        subscribe.add("Protocol", "sqs")
        subscribe.add("Endpoint", queueArn)
        subscribe.add("Attributes.entry.1.key", "RawMessageDelivery")
        subscribe.add("Attributes.entry.1.value", "true")
        _ = try await sns.transport.sendQuery(operation: "Subscribe", parameters: subscribe, deadline: nil)

        let published = try await sns.publish(
            SNS.PublishInput(
                topicARN: topicARN, message: "entry 1", subject: "ledger entry", messageDeduplicationID: "dedup-1",
                messageGroupID: "account-1"))
        #expect(published.messageID != nil)
        let received = try await sqs.receiveMessage(
            SQS.ReceiveMessageRequest(
                queueURL: queueURL, messageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
                waitTimeSeconds: 1))
        #expect((received.messages ?? []).first?.body == "entry 1")
        #expect((received.messages ?? []).first?.attributes?["MessageGroupId"] == "account-1")
        #expect((received.messages ?? []).first?.attributes?["MessageDeduplicationId"] == "dedup-1")

        // Without a group id a FIFO topic refuses the message, with a typed, non-retried error
        // (AWS says InvalidParameter, moto MissingParameter).
        let error = await #expect(throws: AWSError.self) {
            try await sns.publish(
                SNS.PublishInput(topicARN: topicARN, message: "no group", messageDeduplicationID: "dedup-2"))
        }
        #expect(error?.service == "SNS")
        #expect(error?.statusCode == 400)
        #expect(["InvalidParameter", "MissingParameter"].contains(error?.code.rawValue))
        #expect(error?.requestID != nil)
    }

    @Test func putEventsThroughARuleReachesItsQueueAndReportsFailedEntries() async throws {
        let configuration = try Endpoint.configuration()
        let events = EventBridgeClient(configuration: configuration)
        let sqs = SQSClient(configuration: configuration)
        let queue = try await makeQueue(sqs)
        let rule = Endpoint.uniqueName("orders-rule")
        let source = "kit.tests.\(rule)"
        _ = try await Endpoint.json(
            events.transport, "PutRule",
            [
                "Name": rule, "EventPattern": #"{"source": ["\#(source)"], "detail-type": ["OrderCreated"]}"#,
                "State": "ENABLED",
            ])
        _ = try await Endpoint.json(
            events.transport, "PutTargets", ["Rule": rule, "Targets": [["Id": "queue", "Arn": queue.arn]]])

        let output = try await events.putEvents(
            EventBridge.PutEventsRequest(entries: [
                .init(
                    time: UTCTime(secondsSince1970: 1_700_000_000), source: source, detailType: "OrderCreated",
                    detail: #"{"orderId":"o-7"}"#),
                .init(source: source, detailType: "OrderShipped", detail: #"{"orderId":"o-8"}"#),
                .init(detailType: "OrderCreated", detail: "{}"),  // no Source: rejected per entry
            ]))
        #expect(output.failedEntryCount == 1)
        #expect(output.entries?.count == 3)
        #expect(output.failures.map(\.index) == [2])
        #expect(output.failures.first?.entry.errorCode == "InvalidArgument")
        #expect(output.entries?[0].eventID != nil)

        let delivered = try await drain(sqs, queue.url, expecting: 1)
        #expect(delivered.count == 1)
        let envelope =
            try JSONSerialization.jsonObject(with: Data(try #require(delivered.first?.body).utf8)) as? [String: Any]
        #expect(envelope?["detail-type"] as? String == "OrderCreated")
        #expect(envelope?["source"] as? String == source)
        #expect((envelope?["detail"] as? [String: Any])?["orderId"] as? String == "o-7")
        #expect(envelope?["time"] as? String == "2023-11-14T22:13:20Z")
    }
}

@Suite struct AuthenticationIntegrationTests {
    @Test(
        .enabled(
            if: Endpoint.environment["AWS_ENDPOINT_URL"] == nil
                || Endpoint.environment["AWS_ENDPOINT_ENFORCES_AUTH"] == "1",
            "the endpoint is not known to check signatures; set AWS_ENDPOINT_ENFORCES_AUTH=1 when it does"))
    func aWrongSecretIsRejected() async throws {
        var configuration = try Endpoint.configuration()
        configuration.credentials.secretAccessKey += "-wrong"
        let sqs = SQSClient(configuration: configuration, options: .init(retryPolicy: .none))
        let error = await #expect(throws: AWSError.self) {
            try await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: "any"))
        }
        #expect(error?.statusCode == 403)
        let sns = SNSClient(configuration: configuration, options: .init(retryPolicy: .none))
        let snsError = await #expect(throws: AWSError.self) {
            try await sns.publish(SNS.PublishInput(topicARN: "arn:aws:sns:us-east-1:123456789012:none", message: "m"))
        }
        #expect(snsError?.code == .signatureDoesNotMatch)
    }

    @Test func traceLogsOfSignedCallsHoldNoSecret() async throws {
        let configuration = try Endpoint.configuration()
        let capture = LogCapture()
        let sqs = SQSClient(configuration: configuration, logger: capture.logger())
        let name = Endpoint.uniqueName("logged")
        _ = try await Endpoint.json(sqs.transport, "CreateQueue", ["QueueName": name])
        let url = try #require(try await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: name)).queueURL)
        _ = try await sqs.sendMessage(SQS.SendMessageRequest(queueURL: url, messageBody: "hello"))
        _ = try? await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: Endpoint.uniqueName("absent")))

        let logs = capture.all
        #expect(logs.count >= 6)
        #expect(logs.contains { $0.hasPrefix("trace") })
        for line in logs {
            #expect(!line.contains(configuration.credentials.secretAccessKey))
            if let token = configuration.credentials.sessionToken { #expect(!line.contains(token)) }
            #expect(!line.contains("Signature="))
            #expect(!line.contains("AWS4-HMAC-SHA256"))
        }
    }
}
