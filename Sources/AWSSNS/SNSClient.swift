import AWSCore
import LambdaHTTP
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AWSService {
    public static let sns = AWSService(
        name: "SNS", signingName: "sns", endpointPrefix: "sns", environmentSuffix: "SNS",
        wireProtocol: .query(apiVersion: "2010-03-31"))
}

/// A message attribute (the model's `MessageAttributeValue`). Subscription filter policies
/// match on these.
public struct SNSMessageAttributeValue: Sendable, Equatable {
    /// "String", "Number", "Binary", "String.Array", optionally with a custom suffix ("Number.float").
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: Data?

    public init(dataType: String, stringValue: String? = nil, binaryValue: Data? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    public static func string(_ value: String) -> Self { Self(dataType: "String", stringValue: value) }
    public static func number(_ value: some Numeric & CustomStringConvertible) -> Self {
        Self(dataType: "Number", stringValue: value.description)
    }
    public static func binary(_ value: Data) -> Self { Self(dataType: "Binary", binaryValue: value) }
}

public struct PublishInput: Sendable, Equatable {
    public var topicARN: String?
    public var targetArn: String?
    public var phoneNumber: String?
    public var message: String
    public var subject: String?
    /// "json" to send a different message per protocol.
    public var messageStructure: String?
    public var messageAttributes: [String: SNSMessageAttributeValue]?
    /// FIFO topics: required unless content-based deduplication is on.
    public var messageDeduplicationID: String?
    /// FIFO topics: required.
    public var messageGroupID: String?

    public init(
        topicARN: String? = nil, targetArn: String? = nil, phoneNumber: String? = nil, message: String,
        subject: String? = nil,
        messageStructure: String? = nil, messageAttributes: [String: SNSMessageAttributeValue]? = nil,
        messageDeduplicationID: String? = nil, messageGroupID: String? = nil
    ) {
        self.topicARN = topicARN
        self.targetArn = targetArn
        self.phoneNumber = phoneNumber
        self.message = message
        self.subject = subject
        self.messageStructure = messageStructure
        self.messageAttributes = messageAttributes
        self.messageDeduplicationID = messageDeduplicationID
        self.messageGroupID = messageGroupID
    }
}

public struct PublishOutput: Sendable, Equatable {
    public var messageID: String?
    /// FIFO topics only.
    public var sequenceNumber: String?
    public init(messageID: String?, sequenceNumber: String? = nil) {
        self.messageID = messageID
        self.sequenceNumber = sequenceNumber
    }
}

public struct PublishBatchRequestEntry: Sendable, Equatable {
    /// Unique within the batch; results refer to entries by it.
    public var id: String
    public var message: String
    public var subject: String?
    public var messageStructure: String?
    public var messageAttributes: [String: SNSMessageAttributeValue]?
    public var messageDeduplicationID: String?
    public var messageGroupID: String?

    public init(
        id: String, message: String, subject: String? = nil, messageStructure: String? = nil,
        messageAttributes: [String: SNSMessageAttributeValue]? = nil, messageDeduplicationID: String? = nil,
        messageGroupID: String? = nil
    ) {
        self.id = id
        self.message = message
        self.subject = subject
        self.messageStructure = messageStructure
        self.messageAttributes = messageAttributes
        self.messageDeduplicationID = messageDeduplicationID
        self.messageGroupID = messageGroupID
    }
}

public struct PublishBatchInput: Sendable, Equatable {
    public var topicARN: String
    public var publishBatchRequestEntries: [PublishBatchRequestEntry]
    public init(topicARN: String, publishBatchRequestEntries: [PublishBatchRequestEntry]) {
        self.topicARN = topicARN
        self.publishBatchRequestEntries = publishBatchRequestEntries
    }
}

public struct PublishBatchResultEntry: Sendable, Equatable {
    public var id: String?
    public var messageID: String?
    public var sequenceNumber: String?
    public init(id: String?, messageID: String?, sequenceNumber: String? = nil) {
        self.id = id
        self.messageID = messageID
        self.sequenceNumber = sequenceNumber
    }
}

/// One entry of a batch that failed while the others may have succeeded.
public struct SNSBatchResultErrorEntry: Sendable, Equatable {
    public var id: String
    public var code: String
    public var message: String?
    /// Whether the entry itself was at fault (not worth retrying as is).
    public var senderFault: Bool
    public init(id: String, code: String, message: String? = nil, senderFault: Bool) {
        self.id = id
        self.code = code
        self.message = message
        self.senderFault = senderFault
    }
}

public struct PublishBatchOutput: Sendable, Equatable {
    public var successful: [PublishBatchResultEntry]
    public var failed: [SNSBatchResultErrorEntry]
    public init(successful: [PublishBatchResultEntry], failed: [SNSBatchResultErrorEntry]) {
        self.successful = successful
        self.failed = failed
    }
}

public protocol SNSClientProtocol: Sendable {
    func publish(_ input: PublishInput, deadline: ContinuousClock.Instant?) async throws -> PublishOutput
    func publishBatch(_ input: PublishBatchInput, deadline: ContinuousClock.Instant?) async throws -> PublishBatchOutput
}

extension SNSClientProtocol {
    public func publish(_ input: PublishInput) async throws -> PublishOutput { try await publish(input, deadline: nil) }
    public func publishBatch(_ input: PublishBatchInput) async throws -> PublishBatchOutput {
        try await publishBatch(input, deadline: nil)
    }
}

/// SNS over the query protocol: form-encoded requests, XML responses.
public struct SNSClient: SNSClientProtocol, AWSServiceClient {
    public static let service = AWSService.sns
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func publish(_ input: PublishInput, deadline: ContinuousClock.Instant?) async throws -> PublishOutput {
        let root = try await transport.sendQuery(
            operation: "Publish", parameters: SNSQuery.parameters(for: input), deadline: deadline)
        let result = root.child("PublishResult")
        return PublishOutput(
            messageID: result?.child("MessageId")?.text, sequenceNumber: result?.child("SequenceNumber")?.text)
    }

    public func publishBatch(_ input: PublishBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> PublishBatchOutput
    {
        let root = try await transport.sendQuery(
            operation: "PublishBatch", parameters: SNSQuery.parameters(for: input), deadline: deadline)
        return SNSQuery.publishBatchOutput(from: root)
    }
}

/// The query-protocol serialization of the SNS shapes (maps as `entry.N.Name/Value`, lists as
/// `member.N`, blobs base64), and the reading of their XML results.
package enum SNSQuery {
    package static func parameters(for input: PublishInput) -> QueryParameters {
        var parameters = QueryParameters()
        parameters.add("TopicArn", input.topicARN)
        parameters.add("TargetArn", input.targetArn)
        parameters.add("PhoneNumber", input.phoneNumber)
        parameters.add("Message", input.message)
        parameters.add("Subject", input.subject)
        parameters.add("MessageStructure", input.messageStructure)
        add(input.messageAttributes, prefix: "MessageAttributes", to: &parameters)
        parameters.add("MessageDeduplicationId", input.messageDeduplicationID)
        parameters.add("MessageGroupId", input.messageGroupID)
        return parameters
    }

    package static func parameters(for input: PublishBatchInput) -> QueryParameters {
        var parameters = QueryParameters()
        parameters.add("TopicArn", input.topicARN)
        for (index, entry) in input.publishBatchRequestEntries.enumerated() {
            let prefix = "PublishBatchRequestEntries.member.\(index + 1)"
            parameters.add("\(prefix).Id", entry.id)
            parameters.add("\(prefix).Message", entry.message)
            parameters.add("\(prefix).Subject", entry.subject)
            parameters.add("\(prefix).MessageStructure", entry.messageStructure)
            add(entry.messageAttributes, prefix: "\(prefix).MessageAttributes", to: &parameters)
            parameters.add("\(prefix).MessageDeduplicationId", entry.messageDeduplicationID)
            parameters.add("\(prefix).MessageGroupId", entry.messageGroupID)
        }
        return parameters
    }

    static func add(
        _ attributes: [String: SNSMessageAttributeValue]?, prefix: String, to parameters: inout QueryParameters
    ) {
        guard let attributes else { return }
        // Sorted so that a request is reproducible (and its signature testable).
        for (index, name) in attributes.keys.sorted().enumerated() {
            let value = attributes[name]!
            let entry = "\(prefix).entry.\(index + 1)"
            parameters.add("\(entry).Name", name)
            parameters.add("\(entry).Value.DataType", value.dataType)
            parameters.add("\(entry).Value.StringValue", value.stringValue)
            parameters.add("\(entry).Value.BinaryValue", value.binaryValue?.base64EncodedString())
        }
    }

    package static func publishBatchOutput(from root: XMLElementNode) -> PublishBatchOutput {
        let result = root.child("PublishBatchResult")
        let successful = (result?.child("Successful")?.children ?? []).map { member in
            PublishBatchResultEntry(
                id: member.child("Id")?.text, messageID: member.child("MessageId")?.text,
                sequenceNumber: member.child("SequenceNumber")?.text)
        }
        let failed = (result?.child("Failed")?.children ?? []).map { member in
            SNSBatchResultErrorEntry(
                id: member.child("Id")?.text ?? "", code: member.child("Code")?.text ?? "",
                message: member.child("Message")?.text,
                senderFault: member.child("SenderFault")?.text == "true")
        }
        return PublishBatchOutput(successful: successful, failed: failed)
    }
}
