/// The event Lambda receives from an SNS subscription: always one record.
public struct SNSEvent: Codable, Sendable, Equatable {
    public var records: [SNSEventRecord]

    public init(records: [SNSEventRecord]) {
        self.records = records
    }

    enum CodingKeys: String, CodingKey {
        case records = "Records"
    }
}

public struct SNSEventRecord: Codable, Sendable, Equatable {
    public var eventVersion: String
    public var eventSubscriptionARN: String
    /// Always `aws:sns`.
    public var eventSource: String
    public var sns: SNSNotification

    public init(
        eventVersion: String = "1.0", eventSubscriptionARN: String, eventSource: String = "aws:sns",
        sns: SNSNotification
    ) {
        self.eventVersion = eventVersion
        self.eventSubscriptionARN = eventSubscriptionARN
        self.eventSource = eventSource
        self.sns = sns
    }

    enum CodingKeys: String, CodingKey {
        case eventVersion = "EventVersion"
        case eventSubscriptionARN = "EventSubscriptionArn"
        case eventSource = "EventSource"
        case sns = "Sns"
    }
}

/// An SNS message: the `Sns` member of a Lambda SNS record, and the JSON body SNS puts in an
/// SQS message (or POSTs to an HTTP endpoint) when raw message delivery is off.
///
/// The two forms differ in one detail: Lambda writes `SigningCertUrl`/`UnsubscribeUrl`, the
/// SQS/HTTP form writes `SigningCertURL`/`UnsubscribeURL`. Both decode; `urlKeyCasing` records
/// which was used so that re-encoding reproduces it.
public struct SNSNotification: Codable, Sendable, Equatable {
    public enum URLKeyCasing: Sendable, Hashable {
        /// `SigningCertUrl`, as in Lambda SNS events.
        case lambda
        /// `SigningCertURL`, as in the SQS and HTTP delivery of SNS.
        case http
    }

    /// `Notification` (or `SubscriptionConfirmation` / `UnsubscribeConfirmation` over HTTP).
    public var type: String
    public var messageID: String
    public var topicARN: String
    @NullPreserving public var subject: String?
    public var message: String
    public var timestamp: AWSTimestamp
    public var signatureVersion: String
    public var signature: String
    public var signingCertURL: String
    public var unsubscribeURL: String?
    public var messageAttributes: [String: SNSMessageAttribute]?
    /// FIFO topics only.
    public var sequenceNumber: String?
    /// Subscription confirmations only.
    public var token: String?
    /// Subscription confirmations only.
    public var subscribeURL: String?
    public var urlKeyCasing: URLKeyCasing

    public init(
        type: String = "Notification", messageID: String, topicARN: String, subject: String? = nil, message: String,
        timestamp: AWSTimestamp, signatureVersion: String = "1", signature: String, signingCertURL: String,
        unsubscribeURL: String?, messageAttributes: [String: SNSMessageAttribute]? = [:], sequenceNumber: String? = nil,
        urlKeyCasing: URLKeyCasing
    ) {
        self.type = type
        self.messageID = messageID
        self.topicARN = topicARN
        self.subject = subject
        self.message = message
        self.timestamp = timestamp
        self.signatureVersion = signatureVersion
        self.signature = signature
        self.signingCertURL = signingCertURL
        self.unsubscribeURL = unsubscribeURL
        self.messageAttributes = messageAttributes
        self.sequenceNumber = sequenceNumber
        self.urlKeyCasing = urlKeyCasing
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case messageID = "MessageId"
        case topicARN = "TopicArn"
        case subject = "Subject"
        case message = "Message"
        case timestamp = "Timestamp"
        case signatureVersion = "SignatureVersion"
        case signature = "Signature"
        case signingCertUrl = "SigningCertUrl"
        case signingCertURL = "SigningCertURL"
        case unsubscribeUrl = "UnsubscribeUrl"
        case unsubscribeURL = "UnsubscribeURL"
        case messageAttributes = "MessageAttributes"
        case sequenceNumber = "SequenceNumber"
        case token = "Token"
        case subscribeURL = "SubscribeURL"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        messageID = try container.decode(String.self, forKey: .messageID)
        topicARN = try container.decode(String.self, forKey: .topicARN)
        _subject = try container.decode(NullPreserving<String>.self, forKey: .subject)
        message = try container.decode(String.self, forKey: .message)
        timestamp = try container.decode(AWSTimestamp.self, forKey: .timestamp)
        signatureVersion = try container.decode(String.self, forKey: .signatureVersion)
        signature = try container.decode(String.self, forKey: .signature)
        if container.contains(.signingCertUrl) {
            urlKeyCasing = .lambda
            signingCertURL = try container.decode(String.self, forKey: .signingCertUrl)
            unsubscribeURL = try container.decodeIfPresent(String.self, forKey: .unsubscribeUrl)
        } else {
            urlKeyCasing = .http
            signingCertURL = try container.decode(String.self, forKey: .signingCertURL)
            unsubscribeURL = try container.decodeIfPresent(String.self, forKey: .unsubscribeURL)
        }
        messageAttributes = try container.decodeIfPresent(
            [String: SNSMessageAttribute].self, forKey: .messageAttributes)
        sequenceNumber = try container.decodeIfPresent(String.self, forKey: .sequenceNumber)
        token = try container.decodeIfPresent(String.self, forKey: .token)
        subscribeURL = try container.decodeIfPresent(String.self, forKey: .subscribeURL)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(messageID, forKey: .messageID)
        try container.encode(topicARN, forKey: .topicARN)
        try container.encode(_subject, forKey: .subject)
        try container.encode(message, forKey: .message)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(signatureVersion, forKey: .signatureVersion)
        try container.encode(signature, forKey: .signature)
        switch urlKeyCasing {
        case .lambda:
            try container.encode(signingCertURL, forKey: .signingCertUrl)
            try container.encodeIfPresent(unsubscribeURL, forKey: .unsubscribeUrl)
        case .http:
            try container.encode(signingCertURL, forKey: .signingCertURL)
            try container.encodeIfPresent(unsubscribeURL, forKey: .unsubscribeURL)
        }
        try container.encodeIfPresent(messageAttributes, forKey: .messageAttributes)
        try container.encodeIfPresent(sequenceNumber, forKey: .sequenceNumber)
        try container.encodeIfPresent(token, forKey: .token)
        try container.encodeIfPresent(subscribeURL, forKey: .subscribeURL)
    }
}

/// An SNS message attribute. Unlike SQS, SNS sends every value, binaries included, as the
/// string `Value`; `Type` is `String`, `String.Array`, `Number` or `Binary`.
public struct SNSMessageAttribute: Codable, Sendable, Equatable {
    public var type: String
    public var value: String

    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case value = "Value"
    }
}
