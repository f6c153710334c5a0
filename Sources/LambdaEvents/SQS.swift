import TextEncodings

/// The event Lambda's SQS event source mapping delivers: a batch of up to 10 000 messages
/// (10 for FIFO queues).
public struct SQSEvent: Codable, Sendable, Equatable {
    public var records: [SQSMessage]

    public init(records: [SQSMessage]) {
        self.records = records
    }

    enum CodingKeys: String, CodingKey {
        case records = "Records"
    }
}

/// One SQS message as Lambda delivers it (camel-cased keys, unlike the ReceiveMessage API).
public struct SQSMessage: Codable, Sendable, Equatable {
    public var messageID: String
    public var receiptHandle: String
    public var body: String
    public var attributes: SQSMessageSystemAttributes
    public var messageAttributes: [String: SQSMessageAttribute]
    public var md5OfBody: String
    @NullPreserving public var md5OfMessageAttributes: String?
    /// Always `aws:sqs`.
    public var eventSource: String
    public var eventSourceARN: String
    public var awsRegion: String

    public init(
        messageID: String, receiptHandle: String, body: String, attributes: SQSMessageSystemAttributes,
        messageAttributes: [String: SQSMessageAttribute] = [:], md5OfBody: String,
        md5OfMessageAttributes: String? = nil,
        eventSource: String = "aws:sqs", eventSourceARN: String, awsRegion: String
    ) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
        self.messageAttributes = messageAttributes
        self.md5OfBody = md5OfBody
        self.md5OfMessageAttributes = md5OfMessageAttributes
        self.eventSource = eventSource
        self.eventSourceARN = eventSourceARN
        self.awsRegion = awsRegion
    }

    /// The queue's name: the last component of `eventSourceARN`.
    public var queueName: String {
        eventSourceARN.split(separator: ":").last.map(String.init) ?? eventSourceARN
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "messageId", receiptHandle, body, attributes, messageAttributes, md5OfBody,
            md5OfMessageAttributes, eventSource, eventSourceARN, awsRegion
    }
}

/// The `attributes` of an SQS message: the system attributes SQS sets. AWS sends every value
/// as a string, numbers and timestamps included; they are exposed typed and re-encoded as
/// strings.
public struct SQSMessageSystemAttributes: Codable, Sendable, Equatable {
    /// How many times the message has been received; above 1 means a retry.
    public var approximateReceiveCount: Int
    public var sentTimestamp: AWSTimestamp
    /// The IAM principal (account id or role id) that sent the message.
    public var senderID: String
    public var approximateFirstReceiveTimestamp: AWSTimestamp
    /// FIFO queues only.
    public var messageGroupID: String?
    /// FIFO queues only.
    public var messageDeduplicationID: String?
    /// FIFO queues only: a large number, kept as the string SQS sends.
    public var sequenceNumber: String?
    public var awsTraceHeader: String?
    public var deadLetterQueueSourceARN: String?
    /// Attributes SQS adds that this model does not name, kept so they survive re-encoding.
    public var otherAttributes: [String: String]

    public init(
        approximateReceiveCount: Int, sentTimestamp: AWSTimestamp, senderID: String,
        approximateFirstReceiveTimestamp: AWSTimestamp, messageGroupID: String? = nil,
        messageDeduplicationID: String? = nil, sequenceNumber: String? = nil, awsTraceHeader: String? = nil,
        deadLetterQueueSourceARN: String? = nil, otherAttributes: [String: String] = [:]
    ) {
        self.approximateReceiveCount = approximateReceiveCount
        self.sentTimestamp = sentTimestamp
        self.senderID = senderID
        self.approximateFirstReceiveTimestamp = approximateFirstReceiveTimestamp
        self.messageGroupID = messageGroupID
        self.messageDeduplicationID = messageDeduplicationID
        self.sequenceNumber = sequenceNumber
        self.awsTraceHeader = awsTraceHeader
        self.deadLetterQueueSourceARN = deadLetterQueueSourceARN
        self.otherAttributes = otherAttributes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case approximateReceiveCount = "ApproximateReceiveCount"
        case sentTimestamp = "SentTimestamp"
        case senderID = "SenderId"
        case approximateFirstReceiveTimestamp = "ApproximateFirstReceiveTimestamp"
        case messageGroupID = "MessageGroupId"
        case messageDeduplicationID = "MessageDeduplicationId"
        case sequenceNumber = "SequenceNumber"
        case awsTraceHeader = "AWSTraceHeader"
        case deadLetterQueueSourceARN = "DeadLetterQueueSourceArn"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let count = try container.decode(String.self, forKey: .approximateReceiveCount)
        guard let parsed = Int(count) else {
            throw DecodingError.dataCorruptedError(
                forKey: .approximateReceiveCount, in: container, debugDescription: "\"\(count)\" is not a whole number")
        }
        approximateReceiveCount = parsed
        sentTimestamp = try container.decode(AWSTimestamp.self, forKey: .sentTimestamp)
        senderID = try container.decode(String.self, forKey: .senderID)
        approximateFirstReceiveTimestamp = try container.decode(
            AWSTimestamp.self, forKey: .approximateFirstReceiveTimestamp)
        messageGroupID = try container.decodeIfPresent(String.self, forKey: .messageGroupID)
        messageDeduplicationID = try container.decodeIfPresent(String.self, forKey: .messageDeduplicationID)
        sequenceNumber = try container.decodeIfPresent(String.self, forKey: .sequenceNumber)
        awsTraceHeader = try container.decodeIfPresent(String.self, forKey: .awsTraceHeader)
        deadLetterQueueSourceARN = try container.decodeIfPresent(String.self, forKey: .deadLetterQueueSourceARN)
        var others: [String: String] = [:]
        let all = try decoder.container(keyedBy: JSONKey.self)
        for key in all.allKeys where CodingKeys(stringValue: key.stringValue) == nil {
            others[key.stringValue] = try all.decode(String.self, forKey: key)
        }
        otherAttributes = others
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(approximateReceiveCount), forKey: .approximateReceiveCount)
        try container.encode(sentTimestamp, forKey: .sentTimestamp)
        try container.encode(senderID, forKey: .senderID)
        try container.encode(approximateFirstReceiveTimestamp, forKey: .approximateFirstReceiveTimestamp)
        try container.encodeIfPresent(messageGroupID, forKey: .messageGroupID)
        try container.encodeIfPresent(messageDeduplicationID, forKey: .messageDeduplicationID)
        try container.encodeIfPresent(sequenceNumber, forKey: .sequenceNumber)
        try container.encodeIfPresent(awsTraceHeader, forKey: .awsTraceHeader)
        try container.encodeIfPresent(deadLetterQueueSourceARN, forKey: .deadLetterQueueSourceARN)
        try encoder.encodeAdditionalFields(otherAttributes.mapValues(JSONValue.string))
    }
}

/// A message attribute a producer set. `dataType` is `String`, `Number` or `Binary`, optionally
/// with a custom suffix (`Number.float`); numbers travel as strings and binaries as base64.
public struct SQSMessageAttribute: Codable, Sendable, Equatable {
    public var dataType: String
    public var stringValue: String?
    /// Base64, as SQS sends it; `binaryData` decodes it.
    public var binaryValue: String?
    public var stringListValues: [String]?
    public var binaryListValues: [String]?

    public init(
        dataType: String, stringValue: String? = nil, binaryValue: String? = nil,
        stringListValues: [String]? = [], binaryListValues: [String]? = []
    ) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
        self.stringListValues = stringListValues
        self.binaryListValues = binaryListValues
    }

    public static func string(_ value: String) -> Self { Self(dataType: "String", stringValue: value) }
    public static func number(_ value: String) -> Self { Self(dataType: "Number", stringValue: value) }
    public static func binary(_ value: some Collection<UInt8>) -> Self {
        Self(dataType: "Binary", binaryValue: Base64.encode(value))
    }

    public var binaryData: [UInt8]? { binaryValue.flatMap { Base64.decode($0) } }
}

/// What a function returns to report partial batch failures (the event source mapping needs
/// `ReportBatchItemFailures`): only the listed messages are retried.
public struct SQSBatchResponse: Codable, Sendable, Equatable {
    public struct BatchItemFailure: Codable, Sendable, Equatable, Hashable {
        /// The failed message's `messageId`.
        public var itemIdentifier: String
        public init(itemIdentifier: String) { self.itemIdentifier = itemIdentifier }
    }

    public var batchItemFailures: [BatchItemFailure]

    public init(batchItemFailures: [BatchItemFailure] = []) {
        self.batchItemFailures = batchItemFailures
    }

    public init(failedMessageIDs: some Sequence<String>) {
        batchItemFailures = failedMessageIDs.map(BatchItemFailure.init(itemIdentifier:))
    }
}
