import Foundation
import LambdaEvents
import TextEncodings
import UTCTime

/// Options of `lambda-local events generate`, like `sam local generate-event`'s.
public struct EventGenerationOptions: Sendable {
    /// What an SQS message carries in its body.
    public enum SQSPayload: String, Sendable, CaseIterable {
        /// The body as given (raw message delivery, or a direct SendMessage).
        case raw
        /// An SNS notification wrapping the body (topic → queue, raw delivery off).
        case sns
        /// An EventBridge event whose detail is the body (rule → queue).
        case eventbridge
    }

    /// The message or request body; for EventBridge, the detail (JSON). Defaults to a CloudEvent.
    public var body: String?
    /// The CloudEvent type of the default body: `order.created`, `payment.failed`, `inventory.alert`.
    public var cloudEventType = "order.created"
    public var count = 1
    public var queueARN: String?
    public var topicARN: String?
    public var subject: String?
    public var sqsPayload = SQSPayload.raw
    /// FIFO: the message group of every message (`--fifo` alone uses `orders`).
    public var messageGroupID: String?
    public var receiveCount = 1
    public var detailType: String?
    public var source: String?
    public var method = "POST"
    public var path = "/events"
    public var route: String?
    public var headers: [String: String] = [:]
    public var statusCode = 200
    public var webSocketEventType = APIGatewayWebSocketRequestContext.EventType.message
    public var failedMessageIDs: [String] = []
    public var authorizationToken = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl"
    public var time = UTCTime.now()

    public init() {}
}

public enum EventGenerationError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        }
    }
}

public enum EventGenerator {
    /// A CloudEvents 1.0 JSON event of the domain, as the functions publish and consume them.
    public static func cloudEvent(
        type: String = "order.created", id: String = SampleAWS.lowercaseID(), time: UTCTime = .now()
    ) -> String {
        let data: JSONValue =
            switch type {
            case "payment.failed":
                .object([
                    "orderId": .string("ord-1042"), "amount": .number(129.9), "currency": .string("EUR"),
                    "reason": .string("card_declined"),
                ])
            case "inventory.alert":
                .object([
                    "sku": .string("SKU-7731"), "warehouse": .string("FRA-1"), "available": .integer(3),
                    "threshold": .integer(10),
                ])
            default:
                .object([
                    "orderId": .string("ord-1042"), "customerId": .string("cus-311"), "total": .number(129.9),
                    "currency": .string("EUR"),
                    "items": .array([.object(["sku": .string("SKU-7731"), "quantity": .integer(2)])]),
                ])
            }
        let subject = data["orderId"]?.stringValue ?? data["sku"]?.stringValue ?? "unknown"
        let event: JSONValue = .object([
            "specversion": .string("1.0"), "id": .string(id), "source": .string(cloudEventSource(ofType: type)),
            "type": .string(type), "subject": .string(subject),
            "time": .string(AWSTimestamp(time, format: .iso8601WithFractionalSeconds).description),
            "datacontenttype": .string("application/json"), "data": data,
        ])
        return encodedString(event)
    }

    /// The producing service of a domain event type: `order.created` comes from `/shop/orders`.
    static func cloudEventSource(ofType type: String) -> String {
        switch type.split(separator: ".").first {
        case "payment": "/shop/payments"
        case "inventory": "/shop/inventory"
        default: "/shop/orders"
        }
    }

    /// An event of `kind`, pretty-printed JSON with sorted keys.
    public static func generate(_ kind: EventKind, options: EventGenerationOptions = .init()) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(AnyEncodable(try model(kind, options: options)))
    }

    static func model(_ kind: EventKind, options: EventGenerationOptions) throws -> any Encodable {
        guard options.count >= 1, options.count <= 10_000 else {
            throw EventGenerationError.invalidOption("--count must be between 1 and 10000")
        }
        let body = options.body ?? cloudEvent(type: options.cloudEventType, time: options.time)
        switch kind {
        case .sqs:
            return try sqs(body: body, options: options)
        case .sqsBatchResponse:
            return SQSBatchResponse(failedMessageIDs: options.failedMessageIDs)
        case .sns:
            return SNSEvent.make(
                message: body, topicARN: options.topicARN ?? SampleAWS.topicARN,
                subject: options.subject, timestamp: options.time)
        case .snsNotification:
            return SNSNotification.make(
                message: body, topicARN: options.topicARN ?? SampleAWS.topicARN,
                subject: options.subject, timestamp: options.time, urlKeyCasing: .http)
        case .eventbridge:
            return try eventBridge(body: body, options: options)
        case .apigwV1Request:
            return APIGatewayV1Request.make(
                method: options.method, path: options.path, headers: defaultingContentType(options.headers),
                body: body, resource: options.route, time: options.time)
        case .apigwV1Response:
            return APIGatewayV1Response(
                statusCode: options.statusCode, headers: defaultingContentType(options.headers),
                body: options.body ?? #"{"accepted":true}"#, isBase64Encoded: false)
        case .apigwV2Request:
            return APIGatewayV2Request.make(
                method: options.method, path: options.path, headers: defaultingContentType(options.headers), body: body,
                routeKey: options.route, time: options.time)
        case .apigwV2Response:
            // `cookies` (even empty) is what tells a v2 response from a v1 one in `events validate`.
            return APIGatewayV2Response(
                statusCode: options.statusCode, headers: defaultingContentType(options.headers),
                cookies: [], body: options.body ?? #"{"accepted":true}"#, isBase64Encoded: false)
        case .apigwWebSocketRequest:
            return APIGatewayWebSocketRequest.make(
                eventType: options.webSocketEventType, routeKey: options.route,
                body: body, time: options.time)
        case .apigwAuthorizerRequest:
            return APIGatewayAuthorizerRequest.token(
                APIGatewayTokenAuthorizerRequest(
                    authorizationToken: options.authorizationToken,
                    methodARN:
                        "arn:aws:execute-api:\(SampleAWS.region):\(SampleAWS.account):\(SampleAWS.apiID)/prod/\(options.method)\(options.path)"
                ))
        case .apigwAuthorizerResponse:
            return APIGatewayAuthorizerResponse.policy(
                APIGatewayAuthorizerPolicyResponse(
                    principalID: "user-42", effect: options.statusCode < 400 ? .allow : .deny,
                    resource:
                        "arn:aws:execute-api:\(SampleAWS.region):\(SampleAWS.account):\(SampleAWS.apiID)/prod/\(options.method)\(options.path)",
                    context: ["tenant": .string("acme")]))
        }
    }

    static func sqs(body: String, options: EventGenerationOptions) throws -> SQSEvent {
        let fifo = options.messageGroupID != nil
        let queueARN = options.queueARN ?? (fifo ? SampleAWS.fifoQueueARN : SampleAWS.queueARN)
        if fifo, !queueARN.hasSuffix(".fifo") {
            throw EventGenerationError.invalidOption(
                "a FIFO message group needs a queue ARN ending in .fifo, got \(queueARN)")
        }
        switch options.sqsPayload {
        case .raw:
            let bodies = (0..<options.count).map { index in
                options.body ?? cloudEvent(type: options.cloudEventType, time: options.time + .seconds(index))
            }
            return SQSEvent.make(
                bodies.map {
                    SQSMessageSpec(body: $0, messageGroupID: options.messageGroupID, receiveCount: options.receiveCount)
                }, queueARN: queueARN, sentAt: options.time)
        case .sns:
            return SQSEvent(
                records: (0..<options.count).map { _ in
                    SQSMessage.carrying(
                        SNSNotification.make(
                            message: body, topicARN: options.topicARN ?? SampleAWS.topicARN,
                            subject: options.subject, timestamp: options.time),
                        queueARN: queueARN, receiveCount: options.receiveCount)
                })
        case .eventbridge:
            let event = try eventBridge(body: body, options: options)
            return SQSEvent(
                records: (0..<options.count).map { _ in
                    SQSMessage.carrying(event, queueARN: queueARN, receiveCount: options.receiveCount)
                })
        }
    }

    /// The body becomes the detail; for a CloudEvent, its type and source name the event.
    static func eventBridge(body: String, options: EventGenerationOptions) throws -> EventBridgeEvent<JSONValue> {
        guard let detail = try? JSONValue(parsing: Data(body.utf8)), case .object = detail else {
            throw EventGenerationError.invalidOption("an EventBridge detail must be a JSON object; --body is not")
        }
        return EventBridgeEvent.make(
            detailType: options.detailType ?? detail["type"]?.stringValue ?? "order.created",
            source: options.source ?? detail["source"]?.stringValue.map(eventBridgeSource(ofCloudEventSource:))
                ?? "shop.orders",
            detail: detail, time: options.time)
    }

    /// EventBridge sources are dotted names (`shop.orders`); CloudEvent sources are URI paths
    /// (`/shop/orders`).
    static func eventBridgeSource(ofCloudEventSource source: String) -> String {
        source.split(separator: "/").joined(separator: ".")
    }

    static func defaultingContentType(_ headers: [String: String]) -> [String: String] {
        headers.keys.contains { $0.lowercased() == "content-type" }
            ? headers : headers.merging(["Content-Type": "application/json"]) { a, _ in a }
    }
}

/// Lets `generate` encode whichever model it built.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
