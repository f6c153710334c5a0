import LambdaEvents

/// A CloudEvent as it arrived, with what carried it and its text as received.
public struct ReceivedCloudEvent: Sendable, Hashable {
    public enum Carrier: Sendable, Hashable {
        /// The message body was the event itself.
        case raw
        /// An SNS notification (raw message delivery off) whose `Message` was the event.
        case sns(messageID: String, topicARN: String)
        /// An EventBridge event whose `detail` was the event.
        case eventBridge(id: String, detailType: String)

        /// `raw`, `sns` or `eventbridge`, for records and logs.
        public var name: String {
            switch self {
            case .raw: "raw"
            case .sns: "sns"
            case .eventBridge: "eventbridge"
            }
        }
    }

    public var event: CloudEvent
    public var carrier: Carrier
    /// The event's JSON text exactly as received. For EventBridge, whose `detail` is embedded
    /// JSON rather than a string, the canonical text of the detail.
    public var verbatim: String

    public init(event: CloudEvent, carrier: Carrier, verbatim: String) {
        self.event = event
        self.carrier = carrier
        self.verbatim = verbatim
    }
}

/// Why an SQS message does not carry a CloudEvent, naming the message and the field.
public struct CloudEventExtractionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var messageID: String
    /// `body`, `body.Message` (SNS) or `body.detail` (EventBridge).
    public var field: String
    public var reason: String

    public init(messageID: String, field: String, reason: String) {
        self.messageID = messageID
        self.field = field
        self.reason = reason
    }

    public var description: String { "message \(messageID): \(field): \(reason)" }
}

extension SQSMessage {
    /// The CloudEvent this message carries: the body itself, the `Message` of an SNS
    /// notification, or the `detail` of an EventBridge event, told apart by their shapes.
    public func receivedCloudEvent() throws(CloudEventExtractionError) -> ReceivedCloudEvent {
        let json: JSONValue
        do {
            json = try decodeBody(JSONValue.self)
        } catch {
            throw CloudEventExtractionError(
                messageID: messageID, field: "body", reason: "\(error.path): \(error.reason)")
        }
        guard case .object(let object) = json else {
            throw CloudEventExtractionError(messageID: messageID, field: "body", reason: "expected a JSON object")
        }

        if object["specversion"] != nil {
            return ReceivedCloudEvent(event: try validate(json, field: "body"), carrier: .raw, verbatim: body)
        }
        if object["Type"] != nil, object["TopicArn"] != nil, object["Message"] != nil {
            let notification: SNSNotification
            do {
                notification = try decodeSNSNotification()
            } catch {
                throw CloudEventExtractionError(
                    messageID: messageID, field: "body",
                    reason: "an SNS notification, but \(error.path): \(error.reason)")
            }
            let message: JSONValue
            do {
                message = try notification.decodeMessage(JSONValue.self)
            } catch {
                throw CloudEventExtractionError(
                    messageID: messageID, field: "body.Message", reason: "\(error.path): \(error.reason)")
            }
            return ReceivedCloudEvent(
                event: try validate(message, field: "body.Message"),
                carrier: .sns(messageID: notification.messageID, topicARN: notification.topicARN),
                verbatim: notification.message)
        }
        if object["detail-type"] != nil, object["detail"] != nil {
            let envelope: EventBridgeEvent<JSONValue>
            do {
                envelope = try decodeEventBridgeEvent(detail: JSONValue.self)
            } catch {
                throw CloudEventExtractionError(
                    messageID: messageID, field: "body",
                    reason: "an EventBridge event, but \(error.path): \(error.reason)")
            }
            let event = try validate(envelope.detail, field: "body.detail")
            return ReceivedCloudEvent(
                event: event, carrier: .eventBridge(id: envelope.id, detailType: envelope.detailType),
                verbatim: CanonicalJSON.string(envelope.detail))
        }
        throw CloudEventExtractionError(
            messageID: messageID, field: "body",
            reason:
                "neither a CloudEvent (no specversion), an SNS notification (Type, TopicArn, Message) nor an EventBridge event (detail-type, detail)"
        )
    }

    private func validate(_ json: JSONValue, field: String) throws(CloudEventExtractionError) -> CloudEvent {
        do {
            return try CloudEvent(validating: json)
        } catch {
            throw CloudEventExtractionError(messageID: messageID, field: field, reason: error.description)
        }
    }
}
