import TextEncodings

/// A REST API (API Gateway v1) Lambda proxy integration request.
///
/// AWS sends `null` for empty maps (`queryStringParameters`, `pathParameters`, …) and for an
/// empty `body`; older events omit those keys instead. Both decode to `nil` and re-encode as
/// they came. Members this model does not name are kept in `additionalFields`.
public struct APIGatewayV1Request: Codable, Sendable, Equatable {
    /// The resource path template, e.g. `/{proxy+}`.
    public var resource: String
    public var path: String
    public var httpMethod: String
    public var version: String?
    @NullPreserving public var headers: [String: String]?
    @NullPreserving public var multiValueHeaders: [String: [String]]?
    @NullPreserving public var queryStringParameters: [String: String]?
    @NullPreserving public var multiValueQueryStringParameters: [String: [String]]?
    @NullPreserving public var pathParameters: [String: String]?
    @NullPreserving public var stageVariables: [String: String]?
    public var requestContext: APIGatewayV1RequestContext
    @NullPreserving public var body: String?
    @NullPreserving public var isBase64Encoded: Bool?
    public var additionalFields: AdditionalFields

    public init(
        resource: String, path: String, httpMethod: String, version: String? = nil,
        headers: [String: String]?, multiValueHeaders: [String: [String]]?,
        queryStringParameters: [String: String]? = nil, multiValueQueryStringParameters: [String: [String]]? = nil,
        pathParameters: [String: String]? = nil, stageVariables: [String: String]? = nil,
        requestContext: APIGatewayV1RequestContext, body: String?, isBase64Encoded: Bool = false,
        additionalFields: AdditionalFields = [:]
    ) {
        self.resource = resource
        self.path = path
        self.httpMethod = httpMethod
        self.version = version
        // A new request is written the way API Gateway writes one: `null`, not absent.
        _headers = NullPreserving(wrappedValue: headers, nilEncoding: .null)
        _multiValueHeaders = NullPreserving(wrappedValue: multiValueHeaders, nilEncoding: .null)
        _queryStringParameters = NullPreserving(wrappedValue: queryStringParameters, nilEncoding: .null)
        _multiValueQueryStringParameters = NullPreserving(
            wrappedValue: multiValueQueryStringParameters, nilEncoding: .null)
        _pathParameters = NullPreserving(wrappedValue: pathParameters, nilEncoding: .null)
        _stageVariables = NullPreserving(wrappedValue: stageVariables, nilEncoding: .null)
        self.requestContext = requestContext
        _body = NullPreserving(wrappedValue: body, nilEncoding: .null)
        self.isBase64Encoded = isBase64Encoded
        self.additionalFields = additionalFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case resource, path, httpMethod, version, headers, multiValueHeaders, queryStringParameters
        case multiValueQueryStringParameters, pathParameters, stageVariables, requestContext, body, isBase64Encoded
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resource = try container.decode(String.self, forKey: .resource)
        path = try container.decode(String.self, forKey: .path)
        httpMethod = try container.decode(String.self, forKey: .httpMethod)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        _headers = try container.decode(NullPreserving.self, forKey: .headers)
        _multiValueHeaders = try container.decode(NullPreserving.self, forKey: .multiValueHeaders)
        _queryStringParameters = try container.decode(NullPreserving.self, forKey: .queryStringParameters)
        _multiValueQueryStringParameters = try container.decode(
            NullPreserving.self, forKey: .multiValueQueryStringParameters)
        _pathParameters = try container.decode(NullPreserving.self, forKey: .pathParameters)
        _stageVariables = try container.decode(NullPreserving.self, forKey: .stageVariables)
        requestContext = try container.decode(APIGatewayV1RequestContext.self, forKey: .requestContext)
        _body = try container.decode(NullPreserving.self, forKey: .body)
        _isBase64Encoded = try container.decode(NullPreserving.self, forKey: .isBase64Encoded)
        additionalFields = try decoder.additionalFields(excluding: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(resource, forKey: .resource)
        try container.encode(path, forKey: .path)
        try container.encode(httpMethod, forKey: .httpMethod)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encode(_headers, forKey: .headers)
        try container.encode(_multiValueHeaders, forKey: .multiValueHeaders)
        try container.encode(_queryStringParameters, forKey: .queryStringParameters)
        try container.encode(_multiValueQueryStringParameters, forKey: .multiValueQueryStringParameters)
        try container.encode(_pathParameters, forKey: .pathParameters)
        try container.encode(_stageVariables, forKey: .stageVariables)
        try container.encode(requestContext, forKey: .requestContext)
        try container.encode(_body, forKey: .body)
        try container.encode(_isBase64Encoded, forKey: .isBase64Encoded)
        try encoder.encodeAdditionalFields(additionalFields)
    }
}

/// The `requestContext` of a REST API request (also of REST `REQUEST` authorizer requests).
public struct APIGatewayV1RequestContext: Codable, Sendable, Equatable {
    public var accountID: String?
    public var apiID: String
    public var resourceID: String?
    public var stage: String
    public var requestID: String
    @NullPreserving public var extendedRequestID: String?
    public var identity: APIGatewayRequestIdentity
    public var resourcePath: String?
    public var httpMethod: String?
    public var path: String?
    public var `protocol`: String?
    /// `dd/MMM/yyyy:HH:mm:ss +0000`.
    public var requestTime: AWSTimestamp?
    public var requestTimeEpoch: AWSTimestamp?
    public var domainName: String?
    public var domainPrefix: String?
    public var operationName: String?
    /// What the authorizer returned: a Lambda authorizer's `context` and `principalId`, or a
    /// Cognito user pool's `claims`. Values may be strings, numbers or booleans.
    @NullPreserving public var authorizer: [String: JSONValue]?
    public var additionalFields: AdditionalFields

    public init(
        accountID: String?, apiID: String, resourceID: String?, stage: String, requestID: String,
        extendedRequestID: String? = nil, identity: APIGatewayRequestIdentity, resourcePath: String?,
        httpMethod: String?,
        path: String? = nil, protocol: String? = "HTTP/1.1", requestTime: AWSTimestamp? = nil,
        requestTimeEpoch: AWSTimestamp? = nil, domainName: String? = nil, domainPrefix: String? = nil,
        operationName: String? = nil, authorizer: [String: JSONValue]? = nil, additionalFields: AdditionalFields = [:]
    ) {
        self.accountID = accountID
        self.apiID = apiID
        self.resourceID = resourceID
        self.stage = stage
        self.requestID = requestID
        self.extendedRequestID = extendedRequestID
        self.identity = identity
        self.resourcePath = resourcePath
        self.httpMethod = httpMethod
        self.path = path
        self.protocol = `protocol`
        self.requestTime = requestTime
        self.requestTimeEpoch = requestTimeEpoch
        self.domainName = domainName
        self.domainPrefix = domainPrefix
        self.operationName = operationName
        self.authorizer = authorizer
        self.additionalFields = additionalFields
    }

    /// A Cognito user pool authorizer's token claims.
    public var claims: [String: JSONValue]? {
        authorizer?["claims"]?.objectValue
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accountID = "accountId", apiID = "apiId", resourceID = "resourceId", stage, requestID = "requestId",
            extendedRequestID = "extendedRequestId", identity, resourcePath, httpMethod
        case path, `protocol`, requestTime, requestTimeEpoch, domainName, domainPrefix, operationName, authorizer
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try container.decodeIfPresent(String.self, forKey: .accountID)
        apiID = try container.decode(String.self, forKey: .apiID)
        resourceID = try container.decodeIfPresent(String.self, forKey: .resourceID)
        stage = try container.decode(String.self, forKey: .stage)
        requestID = try container.decode(String.self, forKey: .requestID)
        _extendedRequestID = try container.decode(NullPreserving.self, forKey: .extendedRequestID)
        identity = try container.decode(APIGatewayRequestIdentity.self, forKey: .identity)
        resourcePath = try container.decodeIfPresent(String.self, forKey: .resourcePath)
        httpMethod = try container.decodeIfPresent(String.self, forKey: .httpMethod)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        `protocol` = try container.decodeIfPresent(String.self, forKey: .protocol)
        requestTime = try container.decodeIfPresent(AWSTimestamp.self, forKey: .requestTime)
        requestTimeEpoch = try container.decodeIfPresent(AWSTimestamp.self, forKey: .requestTimeEpoch)
        domainName = try container.decodeIfPresent(String.self, forKey: .domainName)
        domainPrefix = try container.decodeIfPresent(String.self, forKey: .domainPrefix)
        operationName = try container.decodeIfPresent(String.self, forKey: .operationName)
        _authorizer = try container.decode(NullPreserving.self, forKey: .authorizer)
        additionalFields = try decoder.additionalFields(excluding: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(accountID, forKey: .accountID)
        try container.encode(apiID, forKey: .apiID)
        try container.encodeIfPresent(resourceID, forKey: .resourceID)
        try container.encode(stage, forKey: .stage)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(_extendedRequestID, forKey: .extendedRequestID)
        try container.encode(identity, forKey: .identity)
        try container.encodeIfPresent(resourcePath, forKey: .resourcePath)
        try container.encodeIfPresent(httpMethod, forKey: .httpMethod)
        try container.encodeIfPresent(path, forKey: .path)
        try container.encodeIfPresent(`protocol`, forKey: .protocol)
        try container.encodeIfPresent(requestTime, forKey: .requestTime)
        try container.encodeIfPresent(requestTimeEpoch, forKey: .requestTimeEpoch)
        try container.encodeIfPresent(domainName, forKey: .domainName)
        try container.encodeIfPresent(domainPrefix, forKey: .domainPrefix)
        try container.encodeIfPresent(operationName, forKey: .operationName)
        try container.encode(_authorizer, forKey: .authorizer)
        try encoder.encodeAdditionalFields(additionalFields)
    }
}

/// `requestContext.identity` of REST and WebSocket requests: who called. AWS sends `null` for
/// every field that does not apply, and keeps adding fields (`principalOrgId`, `vpceId`, …),
/// which are kept in `additionalFields`.
public struct APIGatewayRequestIdentity: Codable, Sendable, Equatable {
    public var sourceIP: String
    @NullPreserving public var userAgent: String?
    @NullPreserving public var accountID: String?
    @NullPreserving public var apiKey: String?
    @NullPreserving public var apiKeyID: String?
    @NullPreserving public var accessKey: String?
    @NullPreserving public var caller: String?
    @NullPreserving public var user: String?
    @NullPreserving public var userARN: String?
    @NullPreserving public var principalOrgID: String?
    @NullPreserving public var cognitoIdentityPoolID: String?
    @NullPreserving public var cognitoIdentityID: String?
    @NullPreserving public var cognitoAuthenticationType: String?
    @NullPreserving public var cognitoAuthenticationProvider: String?
    @NullPreserving public var clientCert: APIGatewayClientCertificate?
    public var additionalFields: AdditionalFields

    public init(sourceIP: String, userAgent: String? = nil, additionalFields: AdditionalFields = [:]) {
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.additionalFields = additionalFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sourceIP = "sourceIp", userAgent, accountID = "accountId", apiKey, apiKeyID = "apiKeyId", accessKey,
            caller, user, userARN = "userArn", principalOrgID = "principalOrgId"
        case cognitoIdentityPoolID = "cognitoIdentityPoolId", cognitoIdentityID = "cognitoIdentityId",
            cognitoAuthenticationType, cognitoAuthenticationProvider, clientCert
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceIP = try container.decode(String.self, forKey: .sourceIP)
        _userAgent = try container.decode(NullPreserving.self, forKey: .userAgent)
        _accountID = try container.decode(NullPreserving.self, forKey: .accountID)
        _apiKey = try container.decode(NullPreserving.self, forKey: .apiKey)
        _apiKeyID = try container.decode(NullPreserving.self, forKey: .apiKeyID)
        _accessKey = try container.decode(NullPreserving.self, forKey: .accessKey)
        _caller = try container.decode(NullPreserving.self, forKey: .caller)
        _user = try container.decode(NullPreserving.self, forKey: .user)
        _userARN = try container.decode(NullPreserving.self, forKey: .userARN)
        _principalOrgID = try container.decode(NullPreserving.self, forKey: .principalOrgID)
        _cognitoIdentityPoolID = try container.decode(NullPreserving.self, forKey: .cognitoIdentityPoolID)
        _cognitoIdentityID = try container.decode(NullPreserving.self, forKey: .cognitoIdentityID)
        _cognitoAuthenticationType = try container.decode(NullPreserving.self, forKey: .cognitoAuthenticationType)
        _cognitoAuthenticationProvider = try container.decode(
            NullPreserving.self, forKey: .cognitoAuthenticationProvider)
        _clientCert = try container.decode(NullPreserving.self, forKey: .clientCert)
        additionalFields = try decoder.additionalFields(excluding: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sourceIP, forKey: .sourceIP)
        try container.encode(_userAgent, forKey: .userAgent)
        try container.encode(_accountID, forKey: .accountID)
        try container.encode(_apiKey, forKey: .apiKey)
        try container.encode(_apiKeyID, forKey: .apiKeyID)
        try container.encode(_accessKey, forKey: .accessKey)
        try container.encode(_caller, forKey: .caller)
        try container.encode(_user, forKey: .user)
        try container.encode(_userARN, forKey: .userARN)
        try container.encode(_principalOrgID, forKey: .principalOrgID)
        try container.encode(_cognitoIdentityPoolID, forKey: .cognitoIdentityPoolID)
        try container.encode(_cognitoIdentityID, forKey: .cognitoIdentityID)
        try container.encode(_cognitoAuthenticationType, forKey: .cognitoAuthenticationType)
        try container.encode(_cognitoAuthenticationProvider, forKey: .cognitoAuthenticationProvider)
        try container.encode(_clientCert, forKey: .clientCert)
        try encoder.encodeAdditionalFields(additionalFields)
    }
}

/// The client certificate of a mutual-TLS request.
public struct APIGatewayClientCertificate: Codable, Sendable, Equatable {
    public struct Validity: Codable, Sendable, Equatable {
        /// OpenSSL's form, e.g. `May 28 12:30:02 2019 GMT`; kept as text.
        public var notBefore: String
        public var notAfter: String
    }

    public var clientCertPem: String
    public var subjectDN: String
    public var issuerDN: String
    public var serialNumber: String
    public var validity: Validity
}

/// What a REST API proxy integration returns.
public struct APIGatewayV1Response: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]?
    public var multiValueHeaders: [String: [String]]?
    public var body: String?
    public var isBase64Encoded: Bool?

    public init(
        statusCode: Int, headers: [String: String]? = nil, multiValueHeaders: [String: [String]]? = nil,
        body: String? = nil, isBase64Encoded: Bool? = nil
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.multiValueHeaders = multiValueHeaders
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    /// A binary body, sent base64-encoded as API Gateway requires.
    public init(statusCode: Int, headers: [String: String]? = nil, binaryBody: some Collection<UInt8>) {
        self.init(
            statusCode: statusCode, headers: headers, body: Base64.encode(binaryBody), isBase64Encoded: true)
    }
}
