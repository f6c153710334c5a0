import TextEncodings
import UTCTime

// Events built from real data, exactly as AWS builds them: an API Gateway request from an HTTP
// request that arrived, an SQS event from messages ReceiveMessage returned. The local API, the
// local event source mapping and the testing kit's samples all go through these, so a sample
// is shaped like a real event and a local event carries nothing made up.

/// An HTTP request as it reached API Gateway.
public struct IncomingHTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent: the path and, after `?`, the raw query string.
    public var target: String
    /// In the order received; names as the client wrote them.
    public var headers: [Header]
    public var body: [UInt8]
    public var sourceIP: String
    public var time: UTCTime

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        method: String, target: String, headers: [Header] = [], body: [UInt8] = [], sourceIP: String = "127.0.0.1",
        time: UTCTime = .now()
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
        self.time = time
    }

    public var path: String {
        String(target.prefix { $0 != "?" })
    }

    /// After the `?`, or empty.
    public var rawQueryString: String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: mark)...])
    }

    /// The first value of a header, by name in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as API Gateway passes it on: text as it is, anything else base64-encoded
    /// (content it does not know to be text, or text that is not UTF-8).
    public var apiGatewayBody: (body: String?, isBase64Encoded: Bool) {
        guard !body.isEmpty else { return (nil, false) }
        let contentType = header("Content-Type")?.lowercased() ?? ""
        let textual =
            contentType.isEmpty || contentType.hasPrefix("text/") || contentType.containsText("json")
            || contentType.containsText("xml") || contentType.containsText("x-www-form-urlencoded")
            || contentType.containsText("javascript")
        if textual, let text = String(validating: body, as: UTF8.self) { return (text, false) }
        return (Base64.encode(body), true)
    }
}

/// What API Gateway adds to a request: which API and stage served it, and its own ids.
public struct APIGatewayRequestSource: Sendable, Equatable {
    public var accountID: String
    public var apiID: String
    public var stage: String
    public var requestID: String

    public init(accountID: String, apiID: String, stage: String, requestID: String) {
        self.accountID = accountID
        self.apiID = apiID
        self.stage = stage
        self.requestID = requestID
    }
}

extension APIGatewayV2Request {
    /// The payload 2.0 event of an HTTP API route: header names lower-cased and repeated ones
    /// joined with commas, cookies moved out of the headers, repeated query parameters joined.
    public init(
        _ request: IncomingHTTPRequest, source: APIGatewayRequestSource, routeKey: String = "$default",
        pathParameters: [String: String]? = nil, authorizer: APIGatewayV2Authorizer? = nil
    ) {
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "cookie" {
                cookies += header.value.split(separator: ";").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
                continue
            }
            headers[name] = headers[name].map { $0 + "," + header.value } ?? header.value
        }
        let query = QueryString.joined(request.rawQueryString)
        let host = headers["host"] ?? "\(source.apiID).execute-api.local"
        let (body, isBase64Encoded) = request.apiGatewayBody
        self.init(
            routeKey: routeKey, rawPath: request.path, rawQueryString: request.rawQueryString,
            cookies: cookies.isEmpty ? nil : cookies, headers: headers,
            queryStringParameters: query.isEmpty ? nil : query,
            pathParameters: pathParameters,
            requestContext: APIGatewayV2RequestContext(
                accountID: source.accountID, apiID: source.apiID, authorizer: authorizer, domainName: host,
                domainPrefix: String(host.prefix { $0 != "." }),
                http: .init(
                    method: request.method, path: request.path, sourceIP: request.sourceIP,
                    userAgent: headers["user-agent"] ?? ""),
                requestID: source.requestID, routeKey: routeKey, stage: source.stage,
                time: AWSTimestamp(request.time, format: .commonLogFormat),
                timeEpoch: AWSTimestamp(request.time, format: .epochMilliseconds)),
            body: body, isBase64Encoded: isBase64Encoded)
    }
}

extension APIGatewayV1Request {
    /// The proxy integration event of a REST API resource: `headers` and
    /// `queryStringParameters` hold each name's last value, the `multiValue` forms every value.
    public init(
        _ request: IncomingHTTPRequest, source: APIGatewayRequestSource, resource: String,
        pathParameters: [String: String]? = nil, authorizer: [String: JSONValue]? = nil
    ) {
        var multiValueHeaders: [String: [String]] = [:]
        for header in request.headers { multiValueHeaders[header.name, default: []].append(header.value) }
        let headers = multiValueHeaders.compactMapValues(\.last)
        let query = QueryString.multiValue(request.rawQueryString)
        let host = request.header("Host")
        let (body, isBase64Encoded) = request.apiGatewayBody
        self.init(
            resource: resource, path: request.path, httpMethod: request.method, headers: headers,
            multiValueHeaders: multiValueHeaders,
            queryStringParameters: query.isEmpty ? nil : query.compactMapValues(\.last),
            multiValueQueryStringParameters: query.isEmpty ? nil : query,
            pathParameters: pathParameters,
            requestContext: APIGatewayV1RequestContext(
                accountID: source.accountID, apiID: source.apiID, resourceID: nil, stage: source.stage,
                requestID: source.requestID,
                identity: APIGatewayRequestIdentity(
                    sourceIP: request.sourceIP, userAgent: request.header("User-Agent")),
                resourcePath: resource, httpMethod: request.method, path: "/\(source.stage)\(request.path)",
                requestTime: AWSTimestamp(request.time, format: .commonLogFormat),
                requestTimeEpoch: AWSTimestamp(request.time, format: .epochMilliseconds), domainName: host,
                domainPrefix: host.map { String($0.prefix { $0 != "." }) }, authorizer: authorizer),
            body: body, isBase64Encoded: isBase64Encoded)
    }
}

extension SQSMessage {
    /// A record of the event Lambda's SQS event source mapping delivers, from a message as
    /// ReceiveMessage returned it (its system attributes as the strings SQS sends).
    ///
    /// - Throws: `SQSMessageSystemAttributes.Invalid` when a required attribute is missing or
    ///   malformed: a real queue always sends them when asked for `All`.
    public init(
        receivedMessageID messageID: String, receiptHandle: String, body: String, systemAttributes: [String: String],
        messageAttributes: [String: SQSMessageAttribute], md5OfBody: String, md5OfMessageAttributes: String?,
        queueARN: String
    ) throws(SQSMessageSystemAttributes.Invalid) {
        let parts = queueARN.split(separator: ":", omittingEmptySubsequences: false)
        self.init(
            messageID: messageID, receiptHandle: receiptHandle, body: body,
            attributes: try SQSMessageSystemAttributes(received: systemAttributes),
            messageAttributes: messageAttributes,
            md5OfBody: md5OfBody, md5OfMessageAttributes: md5OfMessageAttributes, eventSourceARN: queueARN,
            awsRegion: parts.count > 3 ? String(parts[3]) : "")
    }
}

extension SQSMessageSystemAttributes {
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var attribute: String
        public var value: String?

        public var description: String {
            value.map { "the system attribute \(attribute) is \"\($0)\", which is not valid" }
                ?? "the system attribute \(attribute) is missing"
        }
    }

    /// From the `Attributes` of a received message: every value a string, as SQS sends them.
    public init(received attributes: [String: String]) throws(Invalid) {
        func required(_ name: String) throws(Invalid) -> String {
            guard let value = attributes[name] else { throw Invalid(attribute: name, value: nil) }
            return value
        }
        func timestamp(_ name: String) throws(Invalid) -> AWSTimestamp {
            let value = try required(name)
            guard let millis = Int64(value), let time = UTCTime(exactlyMillisecondsSince1970: millis) else {
                throw Invalid(attribute: name, value: value)
            }
            return AWSTimestamp(time, format: .epochMillisecondsString)
        }
        let count = try required("ApproximateReceiveCount")
        guard let receiveCount = Int(count) else { throw Invalid(attribute: "ApproximateReceiveCount", value: count) }
        let named = Set(CodingKeys.allCases.map(\.rawValue))
        self.init(
            approximateReceiveCount: receiveCount, sentTimestamp: try timestamp("SentTimestamp"),
            senderID: try required("SenderId"),
            approximateFirstReceiveTimestamp: try timestamp("ApproximateFirstReceiveTimestamp"),
            messageGroupID: attributes["MessageGroupId"], messageDeduplicationID: attributes["MessageDeduplicationId"],
            sequenceNumber: attributes["SequenceNumber"], awsTraceHeader: attributes["AWSTraceHeader"],
            deadLetterQueueSourceARN: attributes["DeadLetterQueueSourceArn"],
            otherAttributes: attributes.filter { !named.contains($0.key) })
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
