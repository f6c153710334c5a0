import Foundation
import Hashing
import LambdaEvents
import TextEncodings
import UTCTime

/// Defaults shared by the builders: one made-up account in one region, so that ARNs in a
/// built event agree with each other.
public enum SampleAWS {
    public static let account = "123456789012"
    public static let region = "us-east-1"
    public static let queueARN = "arn:aws:sqs:us-east-1:123456789012:events-queue"
    public static let fifoQueueARN = "arn:aws:sqs:us-east-1:123456789012:events-queue.fifo"
    public static let topicARN = "arn:aws:sns:us-east-1:123456789012:events-topic"
    public static let eventBusName = "default"
    public static let apiID = "a1b2c3d4e5"
    /// The IAM role id SQS reports as `SenderId` for messages SNS or a function sent.
    public static let senderID = "AROAIWPX5BD2BHG722MW4:sender"

    /// A fresh id in the lower-case UUID form SQS, SNS and EventBridge use.
    public static func lowercaseID() -> String { UUID().uuidString.lowercased() }

    /// Looks like an SQS receipt handle: long, opaque, base64.
    static func receiptHandle() -> String {
        let bytes = (0..<96).map { _ in UInt8.random(in: 0...255) }
        return "AQEB" + Base64.encode(bytes)
    }

    /// Looks like API Gateway's extended request id.
    static func extendedRequestID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<14).map { _ in alphabet.randomElement()! }) + "="
    }

    static func region(ofARN arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : region
    }

    /// What API Gateway adds to a request of the sample API.
    public static func apiGatewaySource(apiID: String = apiID, stage: String) -> APIGatewayRequestSource {
        APIGatewayRequestSource(accountID: account, apiID: apiID, stage: stage, requestID: extendedRequestID())
    }

    /// An X-Ray trace header as API Gateway adds it: `Root=1-<epoch seconds hex>-<24 hex digits>`.
    public static func traceHeader(at time: UTCTime = .now()) -> String {
        let random = (0..<12).map { _ in UInt8.random(in: 0...255) }.hexEncoded
        return "Root=1-\(String(time.wholeSecondsSince1970, radix: 16))-\(random)"
    }

    static func account(ofARN arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 4 && !parts[4].isEmpty ? String(parts[4]) : account
    }
}

// MARK: - SQS

/// One message to put in a built `SQSEvent`.
public struct SQSMessageSpec: Sendable {
    public var body: String
    /// FIFO queues: the message group. Setting it makes the message a FIFO message.
    public var messageGroupID: String?
    /// Above 1 for a redelivered message.
    public var receiveCount: Int
    public var messageAttributes: [String: SQSMessageAttribute]

    public init(
        body: String, messageGroupID: String? = nil, receiveCount: Int = 1,
        messageAttributes: [String: SQSMessageAttribute] = [:]
    ) {
        self.body = body
        self.messageGroupID = messageGroupID
        self.receiveCount = receiveCount
        self.messageAttributes = messageAttributes
    }
}

extension SQSMessage {
    /// A message as Lambda delivers it, with a real `md5OfBody`, a fresh message id and receipt
    /// handle, and timestamps as SQS writes them (epoch milliseconds as strings).
    public static func make(
        body: String, queueARN: String = SampleAWS.queueARN, messageGroupID: String? = nil,
        sequenceNumber: String? = nil,
        receiveCount: Int = 1, messageAttributes: [String: SQSMessageAttribute] = [:], sentAt: UTCTime = .now(),
        senderID: String = SampleAWS.senderID, messageID: String = SampleAWS.lowercaseID()
    ) -> SQSMessage {
        let firstReceive = sentAt + .milliseconds(12)
        let fifo = messageGroupID != nil
        return SQSMessage(
            messageID: messageID,
            receiptHandle: SampleAWS.receiptHandle(),
            body: body,
            attributes: SQSMessageSystemAttributes(
                approximateReceiveCount: receiveCount,
                sentTimestamp: AWSTimestamp(sentAt, format: .epochMillisecondsString),
                senderID: senderID,
                approximateFirstReceiveTimestamp: AWSTimestamp(firstReceive, format: .epochMillisecondsString),
                messageGroupID: messageGroupID,
                messageDeduplicationID: fifo ? Digest.md5(Array(body.utf8)).hexEncoded : nil,
                sequenceNumber: fifo ? sequenceNumber ?? "18849496460467696128" : nil),
            messageAttributes: messageAttributes,
            md5OfBody: Digest.md5(Array(body.utf8)).hexEncoded,
            md5OfMessageAttributes: nil,
            eventSourceARN: queueARN,
            awsRegion: SampleAWS.region(ofARN: queueARN))
    }

    /// A message whose body is an SNS notification, as a queue subscribed to a topic
    /// without raw message delivery receives it.
    public static func carrying(
        _ notification: SNSNotification, queueARN: String = SampleAWS.queueARN, receiveCount: Int = 1
    ) -> SQSMessage {
        var notification = notification
        notification.urlKeyCasing = .http
        return make(
            body: encodedString(notification), queueARN: queueARN, receiveCount: receiveCount,
            sentAt: notification.timestamp.time + .milliseconds(50), senderID: "AIDAIT2UOQQY3AUEKVGXU")
    }

    /// A message whose body is an EventBridge event, as a queue that is a rule's target
    /// receives it.
    public static func carrying<Detail: Encodable>(
        _ event: EventBridgeEvent<Detail>, queueARN: String = SampleAWS.queueARN, receiveCount: Int = 1
    ) -> SQSMessage {
        make(
            body: encodedString(event), queueARN: queueARN, receiveCount: receiveCount,
            sentAt: event.time.time + .milliseconds(50), senderID: "AIDAJXNJGGKNS7OSV23OI")
    }
}

extension SQSEvent {
    /// A batch with one message per body.
    public static func make(bodies: [String], queueARN: String = SampleAWS.queueARN, receiveCount: Int = 1) -> SQSEvent
    {
        make(bodies.map { SQSMessageSpec(body: $0, receiveCount: receiveCount) }, queueARN: queueARN)
    }

    /// A batch from message specs. Messages with a group id get FIFO attributes and increasing
    /// sequence numbers; pass a `.fifo` queue ARN for them.
    public static func make(
        _ messages: [SQSMessageSpec], queueARN: String = SampleAWS.queueARN, sentAt: UTCTime = .now()
    ) -> SQSEvent {
        // SQS sequence numbers are 20 digits, beyond UInt64; only the tail changes here.
        var sequence = 60_467_696_128
        let records = messages.enumerated().map { index, spec -> SQSMessage in
            sequence += 1
            return SQSMessage.make(
                body: spec.body, queueARN: queueARN, messageGroupID: spec.messageGroupID,
                sequenceNumber: spec.messageGroupID == nil ? nil : "188494964" + String(sequence),
                receiveCount: spec.receiveCount,
                messageAttributes: spec.messageAttributes, sentAt: sentAt + .milliseconds(index * 3))
        }
        return SQSEvent(records: records)
    }

    /// A FIFO batch: `groups` gives each body's message group, in delivery order.
    public static func makeFIFO(
        _ messages: [(group: String, body: String)], queueARN: String = SampleAWS.fifoQueueARN, receiveCount: Int = 1
    ) -> SQSEvent {
        make(
            messages.map { SQSMessageSpec(body: $0.body, messageGroupID: $0.group, receiveCount: receiveCount) },
            queueARN: queueARN)
    }
}

// MARK: - SNS

extension SNSNotification {
    /// A notification as SNS publishes it. `urlKeyCasing` is `.lambda` for an `SNSEvent`,
    /// `.http` for an SQS body.
    public static func make(
        message: String, topicARN: String = SampleAWS.topicARN, subject: String? = nil,
        messageAttributes: [String: SNSMessageAttribute] = [:], timestamp: UTCTime = .now(),
        urlKeyCasing: URLKeyCasing = .lambda, messageID: String = SampleAWS.lowercaseID()
    ) -> SNSNotification {
        let region = SampleAWS.region(ofARN: topicARN)
        let signature = Base64.encode((0..<256).map { _ in UInt8.random(in: 0...255) })
        return SNSNotification(
            messageID: messageID, topicARN: topicARN, subject: subject, message: message,
            timestamp: AWSTimestamp(timestamp, format: .iso8601WithFractionalSeconds), signatureVersion: "1",
            signature: signature,
            signingCertURL:
                "https://sns.\(region).amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
            unsubscribeURL:
                "https://sns.\(region).amazonaws.com/?Action=Unsubscribe&SubscriptionArn=\(topicARN):\(SampleAWS.lowercaseID())",
            messageAttributes: messageAttributes, urlKeyCasing: urlKeyCasing)
    }
}

extension SNSEvent {
    public static func make(
        message: String, topicARN: String = SampleAWS.topicARN, subject: String? = nil,
        messageAttributes: [String: SNSMessageAttribute] = [:], timestamp: UTCTime = .now()
    ) -> SNSEvent {
        let notification = SNSNotification.make(
            message: message, topicARN: topicARN, subject: subject, messageAttributes: messageAttributes,
            timestamp: timestamp, urlKeyCasing: .lambda)
        return SNSEvent(records: [
            SNSEventRecord(eventSubscriptionARN: "\(topicARN):\(SampleAWS.lowercaseID())", sns: notification)
        ])
    }
}

// MARK: - EventBridge

extension EventBridgeEvent {
    /// An event as EventBridge delivers it. `resources` defaults to none, as for custom events.
    public static func make(
        detailType: String, source: String, detail: Detail, resources: [String] = [], time: UTCTime = .now(),
        account: String = SampleAWS.account, region: String = SampleAWS.region, id: String = SampleAWS.lowercaseID()
    ) -> EventBridgeEvent<Detail> {
        // EventBridge writes whole seconds.
        EventBridgeEvent(
            id: id, detailType: detailType, source: source, account: account,
            time: AWSTimestamp(time, format: .iso8601), region: region, resources: resources, detail: detail)
    }
}

extension EventBridgeEvent where Detail == ScheduledEventDetail {
    /// What a schedule rule sends.
    public static func makeScheduled(ruleName: String = "every-five-minutes", time: UTCTime = .now()) -> ScheduledEvent
    {
        make(
            detailType: "Scheduled Event", source: "aws.events", detail: ScheduledEventDetail(),
            resources: ["arn:aws:events:\(SampleAWS.region):\(SampleAWS.account):rule/\(ruleName)"], time: time)
    }
}

// MARK: - API Gateway

extension APIGatewayRequestIdentity {
    public static func make(sourceIP: String = "203.0.113.7", userAgent: String = "curl/8.5.0")
        -> APIGatewayRequestIdentity
    {
        var identity = APIGatewayRequestIdentity(sourceIP: sourceIP, userAgent: userAgent)
        // What API Gateway sends for an unauthenticated caller: the keys, with nulls.
        for keyPath in [
            \APIGatewayRequestIdentity.$accountID, \.$apiKey, \.$apiKeyID, \.$accessKey, \.$caller, \.$user,
            \.$userARN, \.$principalOrgID, \.$cognitoIdentityPoolID, \.$cognitoIdentityID,
            \.$cognitoAuthenticationType, \.$cognitoAuthenticationProvider,
        ] {
            identity[keyPath: keyPath].nilEncoding = .null
        }
        return identity
    }
}

extension APIGatewayV1Request {
    /// A REST API proxy request. `resource` defaults to the path; pass `/{proxy+}` and
    /// `pathParameters` for a greedy route.
    public static func make(
        method: String, path: String, headers: [String: String] = [:], body: String? = nil,
        isBase64Encoded: Bool = false,
        queryStringParameters: [String: [String]]? = nil, resource: String? = nil,
        pathParameters: [String: String]? = nil,
        stage: String = "prod", apiID: String = SampleAWS.apiID, authorizer: [String: JSONValue]? = nil,
        sourceIP: String = "203.0.113.7", time: UTCTime = .now()
    ) -> APIGatewayV1Request {
        let host = "\(apiID).execute-api.\(SampleAWS.region).amazonaws.com"
        var allHeaders = [
            "Host": host, "User-Agent": "curl/8.5.0", "X-Forwarded-For": sourceIP, "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https", "X-Amzn-Trace-Id": SampleAWS.traceHeader(at: time),
        ]
        allHeaders.merge(headers) { _, given in given }
        let query = (queryStringParameters ?? [:]).sorted { $0.key < $1.key }.flatMap { name, values in
            values.map { "\(PercentEncoding.encode(name))=\(PercentEncoding.encode($0))" }
        }
        let incoming = IncomingHTTPRequest(
            method: method, target: query.isEmpty ? path : path + "?" + query.joined(separator: "&"),
            headers: allHeaders.sorted { $0.key < $1.key }.map { IncomingHTTPRequest.Header($0.key, $0.value) },
            sourceIP: sourceIP, time: time)
        var request = APIGatewayV1Request(
            incoming, source: SampleAWS.apiGatewaySource(apiID: apiID, stage: stage), resource: resource ?? path,
            pathParameters: pathParameters, authorizer: authorizer)
        // A sample carries the body as given, whatever its content type.
        request.body = body
        request.isBase64Encoded = isBase64Encoded
        request.requestContext.resourceID = "2gxmpl"
        request.requestContext.extendedRequestID = SampleAWS.extendedRequestID()
        request.requestContext.identity = .make(sourceIP: sourceIP, userAgent: allHeaders["User-Agent"] ?? "curl/8.5.0")
        return request
    }
}

extension APIGatewayV2Request {
    /// An HTTP API request. Header names are lower-cased, as HTTP API delivers them.
    public static func make(
        method: String, path: String, headers: [String: String] = [:], body: String? = nil,
        isBase64Encoded: Bool = false,
        rawQueryString: String = "", routeKey: String? = nil, pathParameters: [String: String]? = nil,
        cookies: [String]? = nil, authorizer: APIGatewayV2Authorizer? = nil, stage: String = "$default",
        apiID: String = SampleAWS.apiID, sourceIP: String = "203.0.113.7", time: UTCTime = .now()
    ) -> APIGatewayV2Request {
        let host = "\(apiID).execute-api.\(SampleAWS.region).amazonaws.com"
        var allHeaders = [
            "host": host, "user-agent": "curl/8.5.0", "x-forwarded-for": sourceIP, "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        ]
        for (name, value) in headers { allHeaders[name.lowercased()] = value }
        if let body { allHeaders["content-length"] = String(body.utf8.count) }
        var incomingHeaders = allHeaders.sorted { $0.key < $1.key }.map { IncomingHTTPRequest.Header($0.key, $0.value) }
        if let cookies, !cookies.isEmpty { incomingHeaders.append(.init("cookie", cookies.joined(separator: "; "))) }
        let incoming = IncomingHTTPRequest(
            method: method, target: rawQueryString.isEmpty ? path : path + "?" + rawQueryString,
            headers: incomingHeaders,
            sourceIP: sourceIP, time: time)
        var request = APIGatewayV2Request(
            incoming, source: SampleAWS.apiGatewaySource(apiID: apiID, stage: stage),
            routeKey: routeKey ?? "\(method) \(path)",
            pathParameters: pathParameters, authorizer: authorizer)
        request.body = body
        request.isBase64Encoded = isBase64Encoded
        return request
    }
}

extension APIGatewayWebSocketRequest {
    /// A WebSocket request: `$connect` carries headers, messages carry a body.
    public static func make(
        eventType: APIGatewayWebSocketRequestContext.EventType, routeKey: String? = nil, body: String? = nil,
        connectionID: String = "L0SM9cOFvHcCIhw=", stage: String = "prod", apiID: String = SampleAWS.apiID,
        time: UTCTime = .now()
    ) -> APIGatewayWebSocketRequest {
        let host = "\(apiID).execute-api.\(SampleAWS.region).amazonaws.com"
        let route = routeKey ?? [.connect: "$connect", .disconnect: "$disconnect", .message: "$default"][eventType]!
        var context = APIGatewayWebSocketRequestContext(
            routeKey: route, messageID: eventType == .message ? "L0SM9cOFvHcCIhw=" : nil, eventType: eventType,
            extendedRequestID: SampleAWS.extendedRequestID(), requestTime: AWSTimestamp(time, format: .commonLogFormat),
            stage: stage,
            connectedAt: AWSTimestamp(time - .seconds(eventType == .connect ? 0 : 30), format: .epochMilliseconds),
            requestTimeEpoch: AWSTimestamp(time, format: .epochMilliseconds), identity: .init(sourceIP: "203.0.113.7"),
            requestID: SampleAWS.extendedRequestID(), domainName: host, connectionID: connectionID, apiID: apiID)
        if eventType == .disconnect {
            context.disconnectStatusCode = 1001
            context.disconnectReason = "Going away"
        }
        let headers: [String: String]? =
            eventType == .connect
            ? [
                "Host": host, "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13",
                "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https",
            ]
            : nil
        return APIGatewayWebSocketRequest(
            headers: headers, multiValueHeaders: headers?.mapValues { [$0] }, requestContext: context,
            body: eventType == .message ? body ?? "" : nil, isBase64Encoded: eventType == .message ? false : nil)
    }
}

func encodedString(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding a model of plain values cannot fail.
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}
