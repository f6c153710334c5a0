import JSONCoding
import TextEncodings

/// A message or request body that could not be decoded, naming the record it came from, the
/// field that held it and the path inside it.
public struct EventBodyDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record, e.g. `Records[3] (messageId 059f36b4-…)` or `request 8f1c…`.
    public var record: String
    /// The field that held the body: `body`, `Sns.Message`, …
    public var field: String
    /// The path inside the decoded body, e.g. `$.data.amount`.
    public var path: String
    public var reason: String

    public init(record: String, field: String, path: String, reason: String) {
        self.record = record
        self.field = field
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "\(record): \(field) at \(path): \(reason)"
    }
}

public enum EventBody {
    /// Decodes a body, base64-decoding it first if the event says so.
    public static func decode<Body: Decodable>(
        _ type: Body.Type, from body: String?, isBase64Encoded: Bool = false, record: String, field: String,
        options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Body {
        guard let body, !body.isEmpty else {
            throw EventBodyDecodingError(record: record, field: field, path: "$", reason: "the body is empty")
        }
        let data: [UInt8]
        if isBase64Encoded {
            guard let decoded = Base64.decode(body) else {
                throw EventBodyDecodingError(
                    record: record, field: field, path: "$",
                    reason: "isBase64Encoded is true but the body is not base64")
            }
            data = decoded
        } else {
            data = Array(body.utf8)
        }
        do {
            return try JSON.decode(Body.self, from: data, options: options)
        } catch DecodingError.dataCorrupted(let context) where context.underlyingError is JSONSyntaxError {
            throw EventBodyDecodingError(
                record: record, field: field, path: JSONPath.from(context.codingPath),
                reason: "not valid JSON: \(context.underlyingError!)")
        } catch let error as DecodingError {
            throw EventBodyDecodingError(record: record, field: field, path: error.jsonPath, reason: error.reason)
        } catch {
            throw EventBodyDecodingError(record: record, field: field, path: "$", reason: String(describing: error))
        }
    }
}

extension SQSMessage {
    /// Decodes the body as JSON.
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(type, from: body, record: "message \(messageID)", field: "body", options: options)
    }

    /// The SNS notification in the body of a queue subscribed to a topic without raw delivery.
    public func decodeSNSNotification() throws(EventBodyDecodingError) -> SNSNotification {
        try decodeBody(SNSNotification.self)
    }

    /// The EventBridge event in the body of a queue that is a rule's target.
    public func decodeEventBridgeEvent<Detail: Decodable>(
        detail: Detail.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> EventBridgeEvent<Detail> {
        try decodeBody(EventBridgeEvent<Detail>.self, options: options)
    }
}

extension SQSEvent {
    /// Decodes every body, keeping failures per message so a handler can report them in an
    /// `SQSBatchResponse` rather than fail the whole batch.
    public func decodeBodies<Body: Decodable>(
        _ type: Body.Type, options: JSON.DecodingOptions = .init()
    ) -> [(message: SQSMessage, body: Result<Body, EventBodyDecodingError>)] {
        records.enumerated().map { index, message in
            let result = Result { () throws(EventBodyDecodingError) -> Body in
                try EventBody.decode(
                    type, from: message.body, record: "Records[\(index)] (messageId \(message.messageID))",
                    field: "body", options: options)
            }
            return (message, result)
        }
    }
}

extension SNSNotification {
    public func decodeMessage<Message: Decodable>(
        _ type: Message.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Message {
        try EventBody.decode(
            type, from: message, record: "SNS message \(messageID)", field: "Message", options: options)
    }
}

extension APIGatewayV1Request {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded ?? false,
            record: "request \(requestContext.requestID)", field: "body", options: options)
    }
}

extension APIGatewayV2Request {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded,
            record: "request \(requestContext.requestID)", field: "body", options: options)
    }
}

extension APIGatewayWebSocketRequest {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, options: JSON.DecodingOptions = .init()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded ?? false,
            record: "request \(requestContext.requestID)", field: "body", options: options)
    }
}
