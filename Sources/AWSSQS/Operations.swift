#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Shapes of the SQS operations the kit carries, as in the service model
/// (botocore `sqs/2012-11-05/service-2.json`, JSON 1.0 protocol).

/// A message attribute (the model's `MessageAttributeValue`).
public struct SQSMessageAttributeValue: Sendable, Codable, Equatable {
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: Data?
    public var stringListValues: [String]?
    public var binaryListValues: [Data]?

    public init(
        dataType: String, stringValue: String? = nil, binaryValue: Data? = nil, stringListValues: [String]? = nil,
        binaryListValues: [Data]? = nil
    ) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
        self.stringListValues = stringListValues
        self.binaryListValues = binaryListValues
    }

    public static func string(_ value: String) -> Self { Self(dataType: "String", stringValue: value) }
    public static func number(_ value: some Numeric & CustomStringConvertible) -> Self {
        Self(dataType: "Number", stringValue: value.description)
    }
    public static func binary(_ value: Data) -> Self { Self(dataType: "Binary", binaryValue: value) }

    enum CodingKeys: String, CodingKey {
        case dataType = "DataType", stringValue = "StringValue", binaryValue = "BinaryValue"
        case stringListValues = "StringListValues", binaryListValues = "BinaryListValues"
    }
}

public struct SendMessageInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    public var messageBody: String
    public var delaySeconds: Int?
    public var messageAttributes: [String: SQSMessageAttributeValue]?
    /// Only `AWSTraceHeader` is accepted by SQS.
    public var messageSystemAttributes: [String: SQSMessageAttributeValue]?
    public var messageDeduplicationID: String?
    public var messageGroupID: String?

    public init(
        queueUrl: String, messageBody: String, delaySeconds: Int? = nil,
        messageAttributes: [String: SQSMessageAttributeValue]? = nil,
        messageSystemAttributes: [String: SQSMessageAttributeValue]? = nil, messageDeduplicationID: String? = nil,
        messageGroupID: String? = nil
    ) {
        self.queueUrl = queueUrl
        self.messageBody = messageBody
        self.delaySeconds = delaySeconds
        self.messageAttributes = messageAttributes
        self.messageSystemAttributes = messageSystemAttributes
        self.messageDeduplicationID = messageDeduplicationID
        self.messageGroupID = messageGroupID
    }

    enum CodingKeys: String, CodingKey {
        case queueUrl = "QueueUrl", messageBody = "MessageBody", delaySeconds = "DelaySeconds", messageAttributes =
            "MessageAttributes"
        case messageSystemAttributes = "MessageSystemAttributes", messageDeduplicationID = "MessageDeduplicationId",
            messageGroupID = "MessageGroupId"
    }
}

public struct SendMessageOutput: Sendable, Decodable, Equatable {
    public var messageID: String?
    public var md5OfMessageBody: String?
    public var md5OfMessageAttributes: String?
    public var md5OfMessageSystemAttributes: String?
    public var sequenceNumber: String?

    public init(
        messageID: String?, md5OfMessageBody: String? = nil, md5OfMessageAttributes: String? = nil,
        md5OfMessageSystemAttributes: String? = nil, sequenceNumber: String? = nil
    ) {
        self.messageID = messageID
        self.md5OfMessageBody = md5OfMessageBody
        self.md5OfMessageAttributes = md5OfMessageAttributes
        self.md5OfMessageSystemAttributes = md5OfMessageSystemAttributes
        self.sequenceNumber = sequenceNumber
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "MessageId", md5OfMessageBody = "MD5OfMessageBody", md5OfMessageAttributes =
            "MD5OfMessageAttributes"
        case md5OfMessageSystemAttributes = "MD5OfMessageSystemAttributes", sequenceNumber = "SequenceNumber"
    }
}

public struct SendMessageBatchRequestEntry: Sendable, Encodable, Equatable {
    public var id: String
    public var messageBody: String
    public var delaySeconds: Int?
    public var messageAttributes: [String: SQSMessageAttributeValue]?
    public var messageSystemAttributes: [String: SQSMessageAttributeValue]?
    public var messageDeduplicationID: String?
    public var messageGroupID: String?

    public init(
        id: String, messageBody: String, delaySeconds: Int? = nil,
        messageAttributes: [String: SQSMessageAttributeValue]? = nil,
        messageSystemAttributes: [String: SQSMessageAttributeValue]? = nil, messageDeduplicationID: String? = nil,
        messageGroupID: String? = nil
    ) {
        self.id = id
        self.messageBody = messageBody
        self.delaySeconds = delaySeconds
        self.messageAttributes = messageAttributes
        self.messageSystemAttributes = messageSystemAttributes
        self.messageDeduplicationID = messageDeduplicationID
        self.messageGroupID = messageGroupID
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", messageBody = "MessageBody", delaySeconds = "DelaySeconds", messageAttributes =
            "MessageAttributes"
        case messageSystemAttributes = "MessageSystemAttributes", messageDeduplicationID = "MessageDeduplicationId",
            messageGroupID = "MessageGroupId"
    }
}

public struct SendMessageBatchInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    public var entries: [SendMessageBatchRequestEntry]
    public init(queueUrl: String, entries: [SendMessageBatchRequestEntry]) {
        self.queueUrl = queueUrl
        self.entries = entries
    }
    enum CodingKeys: String, CodingKey { case queueUrl = "QueueUrl", entries = "Entries" }
}

public struct SendMessageBatchResultEntry: Sendable, Decodable, Equatable {
    public var id: String
    public var messageID: String
    public var md5OfMessageBody: String
    public var md5OfMessageAttributes: String?
    public var md5OfMessageSystemAttributes: String?
    public var sequenceNumber: String?
    enum CodingKeys: String, CodingKey {
        case id = "Id", messageID = "MessageId", md5OfMessageBody = "MD5OfMessageBody", md5OfMessageAttributes =
            "MD5OfMessageAttributes"
        case md5OfMessageSystemAttributes = "MD5OfMessageSystemAttributes", sequenceNumber = "SequenceNumber"
    }
}

/// One entry of a batch that failed while the others may have succeeded.
public struct SQSBatchResultErrorEntry: Sendable, Decodable, Equatable {
    public var id: String
    public var senderFault: Bool
    public var code: String
    public var message: String?
    public init(id: String, senderFault: Bool, code: String, message: String? = nil) {
        self.id = id
        self.senderFault = senderFault
        self.code = code
        self.message = message
    }
    enum CodingKeys: String, CodingKey {
        case id = "Id", senderFault = "SenderFault", code = "Code", message = "Message"
    }
}

public struct SendMessageBatchOutput: Sendable, Decodable, Equatable {
    public var successful: [SendMessageBatchResultEntry]
    public var failed: [SQSBatchResultErrorEntry]
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        successful = try container.decodeIfPresent([SendMessageBatchResultEntry].self, forKey: .successful) ?? []
        failed = try container.decodeIfPresent([SQSBatchResultErrorEntry].self, forKey: .failed) ?? []
    }
    enum CodingKeys: String, CodingKey { case successful = "Successful", failed = "Failed" }
}

public struct ReceiveMessageInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    /// e.g. "All", "ApproximateReceiveCount", "SentTimestamp", "MessageGroupId".
    public var messageSystemAttributeNames: [String]?
    /// Names to return, or "All", or a prefix with ".*".
    public var messageAttributeNames: [String]?
    public var maxNumberOfMessages: Int?
    public var visibilityTimeout: Int?
    /// Long polling, up to 20 seconds.
    public var waitTimeSeconds: Int?
    public var receiveRequestAttemptId: String?

    public init(
        queueUrl: String, messageSystemAttributeNames: [String]? = nil, messageAttributeNames: [String]? = nil,
        maxNumberOfMessages: Int? = nil, visibilityTimeout: Int? = nil, waitTimeSeconds: Int? = nil,
        receiveRequestAttemptId: String? = nil
    ) {
        self.queueUrl = queueUrl
        self.messageSystemAttributeNames = messageSystemAttributeNames
        self.messageAttributeNames = messageAttributeNames
        self.maxNumberOfMessages = maxNumberOfMessages
        self.visibilityTimeout = visibilityTimeout
        self.waitTimeSeconds = waitTimeSeconds
        self.receiveRequestAttemptId = receiveRequestAttemptId
    }

    enum CodingKeys: String, CodingKey {
        case queueUrl = "QueueUrl", messageSystemAttributeNames = "MessageSystemAttributeNames", messageAttributeNames =
            "MessageAttributeNames"
        case maxNumberOfMessages = "MaxNumberOfMessages", visibilityTimeout = "VisibilityTimeout", waitTimeSeconds =
            "WaitTimeSeconds"
        case receiveRequestAttemptId = "ReceiveRequestAttemptId"
    }
}

/// A received message (the model's `Message`).
public struct SQSMessage: Sendable, Decodable, Equatable {
    public var messageID: String?
    public var receiptHandle: String?
    public var md5OfBody: String?
    public var body: String?
    public var attributes: [String: String]?
    public var md5OfMessageAttributes: String?
    public var messageAttributes: [String: SQSMessageAttributeValue]?
    enum CodingKeys: String, CodingKey {
        case messageID = "MessageId", receiptHandle = "ReceiptHandle", md5OfBody = "MD5OfBody", body = "Body",
            attributes = "Attributes"
        case md5OfMessageAttributes = "MD5OfMessageAttributes", messageAttributes = "MessageAttributes"
    }
}

public struct ReceiveMessageOutput: Sendable, Decodable, Equatable {
    public var messages: [SQSMessage]
    public init(messages: [SQSMessage]) { self.messages = messages }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decodeIfPresent([SQSMessage].self, forKey: .messages) ?? []
    }
    enum CodingKeys: String, CodingKey { case messages = "Messages" }
}

public struct DeleteMessageInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    public var receiptHandle: String
    public init(queueUrl: String, receiptHandle: String) {
        self.queueUrl = queueUrl
        self.receiptHandle = receiptHandle
    }
    enum CodingKeys: String, CodingKey { case queueUrl = "QueueUrl", receiptHandle = "ReceiptHandle" }
}

public struct DeleteMessageBatchRequestEntry: Sendable, Encodable, Equatable {
    public var id: String
    public var receiptHandle: String
    public init(id: String, receiptHandle: String) {
        self.id = id
        self.receiptHandle = receiptHandle
    }
    enum CodingKeys: String, CodingKey { case id = "Id", receiptHandle = "ReceiptHandle" }
}

public struct DeleteMessageBatchInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    public var entries: [DeleteMessageBatchRequestEntry]
    public init(queueUrl: String, entries: [DeleteMessageBatchRequestEntry]) {
        self.queueUrl = queueUrl
        self.entries = entries
    }
    enum CodingKeys: String, CodingKey { case queueUrl = "QueueUrl", entries = "Entries" }
}

public struct DeleteMessageBatchResultEntry: Sendable, Decodable, Equatable {
    public var id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

public struct DeleteMessageBatchOutput: Sendable, Decodable, Equatable {
    public var successful: [DeleteMessageBatchResultEntry]
    public var failed: [SQSBatchResultErrorEntry]
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        successful = try container.decodeIfPresent([DeleteMessageBatchResultEntry].self, forKey: .successful) ?? []
        failed = try container.decodeIfPresent([SQSBatchResultErrorEntry].self, forKey: .failed) ?? []
    }
    enum CodingKeys: String, CodingKey { case successful = "Successful", failed = "Failed" }
}

public struct ChangeMessageVisibilityInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    public var receiptHandle: String
    public var visibilityTimeout: Int
    public init(queueUrl: String, receiptHandle: String, visibilityTimeout: Int) {
        self.queueUrl = queueUrl
        self.receiptHandle = receiptHandle
        self.visibilityTimeout = visibilityTimeout
    }
    enum CodingKeys: String, CodingKey {
        case queueUrl = "QueueUrl", receiptHandle = "ReceiptHandle", visibilityTimeout = "VisibilityTimeout"
    }
}

public struct GetQueueAttributesInput: Sendable, Encodable, Equatable {
    public var queueUrl: String
    /// e.g. "All", "ApproximateNumberOfMessages", "QueueArn", "RedrivePolicy".
    public var attributeNames: [String]?
    public init(queueUrl: String, attributeNames: [String]? = nil) {
        self.queueUrl = queueUrl
        self.attributeNames = attributeNames
    }
    enum CodingKeys: String, CodingKey { case queueUrl = "QueueUrl", attributeNames = "AttributeNames" }
}

public struct GetQueueAttributesOutput: Sendable, Decodable, Equatable {
    public var attributes: [String: String]
    public init(attributes: [String: String]) { self.attributes = attributes }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
    }
    enum CodingKeys: String, CodingKey { case attributes = "Attributes" }
}

public struct GetQueueUrlInput: Sendable, Encodable, Equatable {
    public var queueName: String
    public var queueOwnerAWSAccountId: String?
    public init(queueName: String, queueOwnerAWSAccountId: String? = nil) {
        self.queueName = queueName
        self.queueOwnerAWSAccountId = queueOwnerAWSAccountId
    }
    enum CodingKeys: String, CodingKey {
        case queueName = "QueueName", queueOwnerAWSAccountId = "QueueOwnerAWSAccountId"
    }
}

public struct GetQueueUrlOutput: Sendable, Decodable, Equatable {
    public var queueUrl: String
    public init(queueUrl: String) { self.queueUrl = queueUrl }
    enum CodingKeys: String, CodingKey { case queueUrl = "QueueUrl" }
}

/// The empty output of DeleteMessage and ChangeMessageVisibility.
struct EmptyOutput: Decodable {}
