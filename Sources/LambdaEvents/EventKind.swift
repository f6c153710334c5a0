import JSONCoding

/// The kinds of event and response this library models, named as in `shared/peer-events`.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    case sqs
    case sqsBatchResponse = "sqs-batch-response"
    case sns
    /// The SNS notification JSON in an SQS body (raw message delivery off).
    case snsNotification = "sns-notification"
    case eventbridge
    case apigwV1Request = "apigw-v1-request"
    case apigwV1Response = "apigw-v1-response"
    case apigwV2Request = "apigw-v2-request"
    case apigwV2Response = "apigw-v2-response"
    case apigwWebSocketRequest = "apigw-websocket-request"
    case apigwAuthorizerRequest = "apigw-authorizer-request"
    case apigwAuthorizerResponse = "apigw-authorizer-response"

    /// The Swift type that models this kind.
    public var modelName: String {
        switch self {
        case .sqs: "SQSEvent"
        case .sqsBatchResponse: "SQSBatchResponse"
        case .sns: "SNSEvent"
        case .snsNotification: "SNSNotification"
        case .eventbridge: "EventBridgeEvent<JSONValue>"
        case .apigwV1Request: "APIGatewayV1Request"
        case .apigwV1Response: "APIGatewayV1Response"
        case .apigwV2Request: "APIGatewayV2Request"
        case .apigwV2Response: "APIGatewayV2Response"
        case .apigwWebSocketRequest: "APIGatewayWebSocketRequest"
        case .apigwAuthorizerRequest: "APIGatewayAuthorizerRequest"
        case .apigwAuthorizerResponse: "APIGatewayAuthorizerResponse"
        }
    }

    public var summary: String {
        switch self {
        case .sqs: "SQS event source mapping batch (Records[] of messages)"
        case .sqsBatchResponse: "partial batch failure response (batchItemFailures[])"
        case .sns: "SNS subscription event (Records[].Sns)"
        case .snsNotification: "SNS notification JSON as delivered to SQS/HTTP with raw delivery off"
        case .eventbridge: "EventBridge event (detail-type, source, detail)"
        case .apigwV1Request: "API Gateway REST API proxy request"
        case .apigwV1Response: "API Gateway REST API proxy response"
        case .apigwV2Request: "API Gateway HTTP API request (payload 2.0)"
        case .apigwV2Response: "API Gateway HTTP API response (payload 2.0)"
        case .apigwWebSocketRequest: "API Gateway WebSocket request (CONNECT / MESSAGE / DISCONNECT)"
        case .apigwAuthorizerRequest: "Lambda authorizer request (TOKEN, REQUEST, HTTP API 2.0)"
        case .apigwAuthorizerResponse: "Lambda authorizer response (IAM policy or simple)"
        }
    }

    /// Tells the kind from the shape of the JSON, or nil if it is none of these.
    public static func detect(_ json: JSONValue) -> EventKind? {
        guard case .object(let object) = json else { return nil }
        if let records = object["Records"]?.arrayValue {
            guard let first = records.first?.objectValue else { return nil }
            if first["Sns"] != nil || first["EventSource"]?.stringValue == "aws:sns" { return .sns }
            if first["receiptHandle"] != nil || first["eventSource"]?.stringValue == "aws:sqs" { return .sqs }
            return nil
        }
        if object["batchItemFailures"] != nil { return .sqsBatchResponse }
        if object["detail-type"] != nil { return .eventbridge }
        if object["TopicArn"] != nil, object["MessageId"] != nil { return .snsNotification }
        if object["policyDocument"] != nil || object["isAuthorized"] != nil { return .apigwAuthorizerResponse }
        if let type = object["type"]?.stringValue, type == "TOKEN" || type == "REQUEST",
            object["methodArn"] != nil || object["routeArn"] != nil
        {
            return .apigwAuthorizerRequest
        }
        if let context = object["requestContext"]?.objectValue {
            if context["connectionId"] != nil || context["eventType"] != nil { return .apigwWebSocketRequest }
            if object["rawPath"] != nil || object["version"]?.stringValue == "2.0" { return .apigwV2Request }
            return .apigwV1Request
        }
        // v1 and v2 responses share most members; only `cookies` is v2's and
        // `multiValueHeaders` v1's. Without either, the stricter v1 reading is taken.
        if object["statusCode"] != nil {
            return object["cookies"] != nil && object["multiValueHeaders"] == nil ? .apigwV2Response : .apigwV1Response
        }
        return nil
    }

    /// Decodes `data` with this kind's model and encodes it back.
    public func decodeAndReencode(_ data: some Collection<UInt8>) throws -> [UInt8] {
        func roundTrip<Model: Codable>(_: Model.Type) throws -> [UInt8] {
            try JSON.encode(try JSON.decode(Model.self, from: data), options: .init(sortedKeys: true))
        }
        switch self {
        case .sqs: return try roundTrip(SQSEvent.self)
        case .sqsBatchResponse: return try roundTrip(SQSBatchResponse.self)
        case .sns: return try roundTrip(SNSEvent.self)
        case .snsNotification: return try roundTrip(SNSNotification.self)
        case .eventbridge: return try roundTrip(EventBridgeEvent<JSONValue>.self)
        case .apigwV1Request: return try roundTrip(APIGatewayV1Request.self)
        case .apigwV1Response: return try roundTrip(APIGatewayV1Response.self)
        case .apigwV2Request: return try roundTrip(APIGatewayV2Request.self)
        case .apigwV2Response: return try roundTrip(APIGatewayV2Response.self)
        case .apigwWebSocketRequest: return try roundTrip(APIGatewayWebSocketRequest.self)
        case .apigwAuthorizerRequest: return try roundTrip(APIGatewayAuthorizerRequest.self)
        case .apigwAuthorizerResponse: return try roundTrip(APIGatewayAuthorizerResponse.self)
        }
    }
}

extension DecodingError {
    /// The JSON path of the value at fault, e.g. `$.Records[0].attributes.SentTimestamp`.
    public var jsonPath: String {
        switch self {
        case .keyNotFound(let key, let context): JSONPath.from(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            JSONPath.from(context.codingPath)
        @unknown default: "$"
        }
    }

    /// What is wrong, without the path.
    public var reason: String {
        switch self {
        case .keyNotFound: return "required member is missing"
        case .valueNotFound(let type, _): return "expected \(Self.describe(type)), found null"
        case .typeMismatch(let type, let context):
            return "expected \(Self.describe(type)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError { return "\(context.debugDescription) (\(underlying))" }
            return context.debugDescription
        @unknown default: return String(describing: self)
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Dictionary")
                ? "an object" : String(describing: type).hasPrefix("Array") ? "an array" : String(describing: type)
        }
    }
}
