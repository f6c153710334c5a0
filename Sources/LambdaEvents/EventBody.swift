import JSONCoding

// FoundationEssentials has all this needs, without the ICU data full Foundation loads:
// a bootstrap's cold start and memory are what a Lambda user pays for.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
        decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Body {
        guard let body, !body.isEmpty else {
            throw EventBodyDecodingError(record: record, field: field, path: "$", reason: "the body is empty")
        }
        let data: Data
        if isBase64Encoded {
            guard let decoded = Data(base64Encoded: body) else {
                throw EventBodyDecodingError(
                    record: record, field: field, path: "$",
                    reason: "isBase64Encoded is true but the body is not base64")
            }
            data = decoded
        } else {
            data = Data(body.utf8)
        }
        do {
            // An open-ended body gets the direct parser: much faster than probing decodes. It
            // limits nesting itself; Foundation's decoder needs the separate check.
            if Body.self == JSONValue.self { return try JSONValue(parsing: data) as! Body }
            try JSONNesting.check(data)
            return try decoder.decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw EventBodyDecodingError(record: record, field: field, path: error.jsonPath, reason: error.reason)
        } catch let error as JSONSyntaxError {
            throw EventBodyDecodingError(record: record, field: field, path: "$", reason: "not valid JSON: \(error)")
        } catch {
            throw EventBodyDecodingError(record: record, field: field, path: "$", reason: String(describing: error))
        }
    }
}

extension SQSMessage {
    /// Decodes the body as JSON.
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(type, from: body, record: "message \(messageID)", field: "body", decoder: decoder)
    }

    /// The SNS notification in the body of a queue subscribed to a topic without raw delivery.
    public func decodeSNSNotification() throws(EventBodyDecodingError) -> SNSNotification {
        try decodeBody(SNSNotification.self)
    }

    /// The EventBridge event in the body of a queue that is a rule's target.
    public func decodeEventBridgeEvent<Detail: Decodable>(
        detail: Detail.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> EventBridgeEvent<Detail> {
        try decodeBody(EventBridgeEvent<Detail>.self, decoder: decoder)
    }
}

extension SQSEvent {
    /// Decodes every body, keeping failures per message so a handler can report them in an
    /// `SQSBatchResponse` rather than fail the whole batch.
    public func decodeBodies<Body: Decodable>(
        _ type: Body.Type, decoder: JSONDecoder = JSONDecoder()
    ) -> [(message: SQSMessage, body: Result<Body, EventBodyDecodingError>)] {
        records.enumerated().map { index, message in
            let result = Result { () throws(EventBodyDecodingError) -> Body in
                try EventBody.decode(
                    type, from: message.body, record: "Records[\(index)] (messageId \(message.messageID))",
                    field: "body", decoder: decoder)
            }
            return (message, result)
        }
    }
}

extension SNSNotification {
    public func decodeMessage<Message: Decodable>(
        _ type: Message.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Message {
        try EventBody.decode(
            type, from: message, record: "SNS message \(messageID)", field: "Message", decoder: decoder)
    }
}

extension APIGatewayV1Request {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded ?? false,
            record: "request \(requestContext.requestID)", field: "body", decoder: decoder)
    }
}

extension APIGatewayV2Request {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded,
            record: "request \(requestContext.requestID)", field: "body", decoder: decoder)
    }
}

extension APIGatewayWebSocketRequest {
    public func decodeBody<Body: Decodable>(
        _ type: Body.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventBodyDecodingError) -> Body {
        try EventBody.decode(
            type, from: body, isBase64Encoded: isBase64Encoded ?? false,
            record: "request \(requestContext.requestID)", field: "body", decoder: decoder)
    }
}
