import TextEncodings

/// An HTTP API (API Gateway v2) request, payload format 2.0. Also the shape of Lambda
/// function URL requests.
public struct APIGatewayV2Request: Codable, Sendable, Equatable {
    /// `"2.0"`.
    public var version: String
    /// `"POST /events"`, or `"$default"`.
    public var routeKey: String
    public var rawPath: String
    public var rawQueryString: String
    /// The `Cookie` header, split; HTTP API removes it from `headers`.
    public var cookies: [String]?
    /// Lower-cased names; repeated headers are joined with commas.
    public var headers: [String: String]
    /// Repeated parameters are joined with commas.
    public var queryStringParameters: [String: String]?
    public var pathParameters: [String: String]?
    @NullPreserving public var stageVariables: [String: String]?
    public var requestContext: APIGatewayV2RequestContext
    public var body: String?
    public var isBase64Encoded: Bool

    public init(
        version: String = "2.0", routeKey: String, rawPath: String, rawQueryString: String = "",
        cookies: [String]? = nil, headers: [String: String], queryStringParameters: [String: String]? = nil,
        pathParameters: [String: String]? = nil, stageVariables: [String: String]? = nil,
        requestContext: APIGatewayV2RequestContext, body: String? = nil, isBase64Encoded: Bool = false
    ) {
        self.version = version
        self.routeKey = routeKey
        self.rawPath = rawPath
        self.rawQueryString = rawQueryString
        self.cookies = cookies
        self.headers = headers
        self.queryStringParameters = queryStringParameters
        self.pathParameters = pathParameters
        self.stageVariables = stageVariables
        self.requestContext = requestContext
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }
}

public struct APIGatewayV2RequestContext: Codable, Sendable, Equatable {
    public struct HTTP: Codable, Sendable, Equatable {
        public var method: String
        public var path: String
        public var `protocol`: String
        public var sourceIP: String
        public var userAgent: String

        public init(method: String, path: String, protocol: String = "HTTP/1.1", sourceIP: String, userAgent: String) {
            self.method = method
            self.path = path
            self.protocol = `protocol`
            self.sourceIP = sourceIP
            self.userAgent = userAgent
        }

        enum CodingKeys: String, CodingKey {
            case method, path, `protocol`, sourceIP = "sourceIp", userAgent
        }
    }

    public struct Authentication: Codable, Sendable, Equatable {
        public var clientCert: APIGatewayClientCertificate?
    }

    public var accountID: String
    public var apiID: String
    public var authentication: Authentication?
    public var authorizer: APIGatewayV2Authorizer?
    public var domainName: String
    public var domainPrefix: String
    public var http: HTTP
    public var requestID: String
    public var routeKey: String
    public var stage: String
    /// `dd/MMM/yyyy:HH:mm:ss +0000`.
    public var time: AWSTimestamp
    /// Milliseconds (seconds from SAM local).
    public var timeEpoch: AWSTimestamp

    public init(
        accountID: String, apiID: String, authentication: Authentication? = nil,
        authorizer: APIGatewayV2Authorizer? = nil,
        domainName: String, domainPrefix: String, http: HTTP, requestID: String, routeKey: String,
        stage: String = "$default",
        time: AWSTimestamp, timeEpoch: AWSTimestamp
    ) {
        self.accountID = accountID
        self.apiID = apiID
        self.authentication = authentication
        self.authorizer = authorizer
        self.domainName = domainName
        self.domainPrefix = domainPrefix
        self.http = http
        self.requestID = requestID
        self.routeKey = routeKey
        self.stage = stage
        self.time = time
        self.timeEpoch = timeEpoch
    }

    enum CodingKeys: String, CodingKey {
        case accountID = "accountId", apiID = "apiId", authentication, authorizer, domainName, domainPrefix, http,
            requestID = "requestId", routeKey, stage, time, timeEpoch
    }
}

/// What the route's authorizer established: exactly one of `jwt`, `lambda` or `iam`.
public struct APIGatewayV2Authorizer: Codable, Sendable, Equatable {
    public struct JWT: Codable, Sendable, Equatable {
        /// The token's claims, flattened by API Gateway to strings.
        public var claims: [String: String]?
        @NullPreserving public var scopes: [String]?

        public init(claims: [String: String]?, scopes: [String]?) {
            self.claims = claims
            self.scopes = scopes
        }
    }

    public struct IAM: Codable, Sendable, Equatable {
        public struct CognitoIdentity: Codable, Sendable, Equatable {
            public var amr: [String]
            public var identityID: String
            public var identityPoolID: String

            enum CodingKeys: String, CodingKey {
                case amr, identityID = "identityId", identityPoolID = "identityPoolId"
            }
        }

        public var accessKey: String?
        public var accountID: String?
        public var callerID: String?
        @NullPreserving public var cognitoIdentity: CognitoIdentity?
        @NullPreserving public var principalOrgID: String?
        public var userARN: String?
        public var userID: String?

        enum CodingKeys: String, CodingKey {
            case accessKey, accountID = "accountId", callerID = "callerId", cognitoIdentity, principalOrgID =
                "principalOrgId", userARN = "userArn", userID = "userId"
        }
    }

    public var jwt: JWT?
    /// The `context` a Lambda authorizer returned.
    public var lambda: [String: JSONValue]?
    public var iam: IAM?

    public init(jwt: JWT? = nil, lambda: [String: JSONValue]? = nil, iam: IAM? = nil) {
        self.jwt = jwt
        self.lambda = lambda
        self.iam = iam
    }
}

/// What an HTTP API route integration returns (payload format 2.0).
public struct APIGatewayV2Response: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]?
    /// Each becomes a `Set-Cookie` header.
    public var cookies: [String]?
    public var body: String?
    public var isBase64Encoded: Bool?

    public init(
        statusCode: Int, headers: [String: String]? = nil, cookies: [String]? = nil, body: String? = nil,
        isBase64Encoded: Bool? = nil
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    public init(statusCode: Int, headers: [String: String]? = nil, binaryBody: some Collection<UInt8>) {
        self.init(
            statusCode: statusCode, headers: headers, body: Base64.encode(binaryBody), isBase64Encoded: true)
    }
}

// MARK: - WebSocket

/// A WebSocket API request: one per `$connect`, message, and `$disconnect`.
public struct APIGatewayWebSocketRequest: Codable, Sendable, Equatable {
    public var resource: String?
    public var path: String?
    public var httpMethod: String?
    /// `$connect` only.
    public var headers: [String: String]?
    public var multiValueHeaders: [String: [String]]?
    public var queryStringParameters: [String: String]?
    public var multiValueQueryStringParameters: [String: [String]]?
    public var pathParameters: [String: String]?
    public var stageVariables: [String: String]?
    public var requestContext: APIGatewayWebSocketRequestContext
    /// Messages only.
    public var body: String?
    public var isBase64Encoded: Bool?

    public init(
        headers: [String: String]? = nil, multiValueHeaders: [String: [String]]? = nil,
        requestContext: APIGatewayWebSocketRequestContext, body: String? = nil, isBase64Encoded: Bool? = nil
    ) {
        self.headers = headers
        self.multiValueHeaders = multiValueHeaders
        self.requestContext = requestContext
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }
}

public struct APIGatewayWebSocketRequestContext: Codable, Sendable, Equatable {
    public enum EventType: String, Codable, Sendable, CaseIterable {
        case connect = "CONNECT"
        case message = "MESSAGE"
        case disconnect = "DISCONNECT"
    }

    /// `$connect`, `$disconnect`, `$default` or a custom route.
    public var routeKey: String
    @NullPreserving public var messageID: String?
    public var eventType: EventType
    public var extendedRequestID: String?
    public var requestTime: AWSTimestamp
    /// `IN`.
    public var messageDirection: String
    public var stage: String
    public var connectedAt: AWSTimestamp
    public var requestTimeEpoch: AWSTimestamp
    public var identity: APIGatewayRequestIdentity
    public var requestID: String
    public var domainName: String
    /// Where to POST messages back to the client (`@connections/{connectionId}`).
    public var connectionID: String
    public var apiID: String
    public var accountID: String?
    public var resourceID: String?
    public var resourcePath: String?
    public var httpMethod: String?
    public var authorizer: [String: JSONValue]?
    /// Sent as a string in AWS's own sample; kept as whatever JSON it was.
    public var integrationLatency: JSONValue?
    public var error: String?
    public var status: String?
    /// `$disconnect` only.
    public var disconnectStatusCode: Int?
    public var disconnectReason: String?

    public init(
        routeKey: String, messageID: String?, eventType: EventType, extendedRequestID: String?,
        requestTime: AWSTimestamp,
        messageDirection: String = "IN", stage: String, connectedAt: AWSTimestamp, requestTimeEpoch: AWSTimestamp,
        identity: APIGatewayRequestIdentity, requestID: String, domainName: String, connectionID: String, apiID: String
    ) {
        self.routeKey = routeKey
        self.messageID = messageID
        self.eventType = eventType
        self.extendedRequestID = extendedRequestID
        self.requestTime = requestTime
        self.messageDirection = messageDirection
        self.stage = stage
        self.connectedAt = connectedAt
        self.requestTimeEpoch = requestTimeEpoch
        self.identity = identity
        self.requestID = requestID
        self.domainName = domainName
        self.connectionID = connectionID
        self.apiID = apiID
    }

    enum CodingKeys: String, CodingKey {
        case routeKey, messageID = "messageId", eventType, extendedRequestID = "extendedRequestId", requestTime,
            messageDirection, stage, connectedAt, requestTimeEpoch, identity, requestID = "requestId", domainName,
            connectionID = "connectionId", apiID = "apiId", accountID = "accountId", resourceID = "resourceId",
            resourcePath, httpMethod, authorizer, integrationLatency, error, status, disconnectStatusCode,
            disconnectReason
    }
}
