/// Any Lambda authorizer request API Gateway sends, told apart by `type` and `version`.
public enum APIGatewayAuthorizerRequest: Codable, Sendable, Equatable {
    /// REST API `TOKEN` authorizer: just the token.
    case token(APIGatewayTokenAuthorizerRequest)
    /// REST API or WebSocket `REQUEST` authorizer, and HTTP API payload format 1.0.
    case request(APIGatewayRequestAuthorizerRequest)
    /// HTTP API payload format 2.0.
    case v2(APIGatewayV2AuthorizerRequest)

    enum DiscriminatorKeys: String, CodingKey {
        case type, version
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DiscriminatorKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        let version = try container.decodeIfPresent(String.self, forKey: .version)
        switch (type, version) {
        case ("TOKEN", _): self = .token(try APIGatewayTokenAuthorizerRequest(from: decoder))
        case ("REQUEST", "2.0"): self = .v2(try APIGatewayV2AuthorizerRequest(from: decoder))
        case ("REQUEST", _): self = .request(try APIGatewayRequestAuthorizerRequest(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "\"\(type)\" is not an authorizer type (TOKEN or REQUEST)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .token(let request): try request.encode(to: encoder)
        case .request(let request): try request.encode(to: encoder)
        case .v2(let request): try request.encode(to: encoder)
        }
    }
}

public struct APIGatewayTokenAuthorizerRequest: Codable, Sendable, Equatable {
    /// `TOKEN`.
    public var type: String
    /// The value of the token source header, e.g. `Bearer eyJ…`.
    public var authorizationToken: String
    /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{resource}`.
    public var methodARN: String

    public init(authorizationToken: String, methodARN: String) {
        type = "TOKEN"
        self.authorizationToken = authorizationToken
        self.methodARN = methodARN
    }

    enum CodingKeys: String, CodingKey {
        case type, authorizationToken, methodARN = "methodArn"
    }
}

/// A `REQUEST` authorizer request: the request's headers, parameters and context. Members
/// this model does not name are kept in `additionalFields`.
public struct APIGatewayRequestAuthorizerRequest: Codable, Sendable, Equatable {
    public var type: String
    public var methodARN: String
    /// `"1.0"` for HTTP API payload format 1.0; absent for REST.
    public var version: String?
    /// HTTP API payload 1.0: the identity sources, comma-joined.
    public var identitySource: String?
    public var authorizationToken: String?
    public var resource: String?
    public var path: String?
    public var httpMethod: String?
    public var headers: [String: String]?
    public var multiValueHeaders: [String: [String]]?
    public var queryStringParameters: [String: String]?
    public var multiValueQueryStringParameters: [String: [String]]?
    public var pathParameters: [String: String]?
    public var stageVariables: [String: String]?
    public var requestContext: APIGatewayV1RequestContext
    public var additionalFields: AdditionalFields

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, methodARN = "methodArn", version, identitySource, authorizationToken, resource, path, httpMethod,
            headers
        case multiValueHeaders, queryStringParameters, multiValueQueryStringParameters, pathParameters, stageVariables
        case requestContext
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        methodARN = try container.decode(String.self, forKey: .methodARN)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        identitySource = try container.decodeIfPresent(String.self, forKey: .identitySource)
        authorizationToken = try container.decodeIfPresent(String.self, forKey: .authorizationToken)
        resource = try container.decodeIfPresent(String.self, forKey: .resource)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        httpMethod = try container.decodeIfPresent(String.self, forKey: .httpMethod)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers)
        multiValueHeaders = try container.decodeIfPresent([String: [String]].self, forKey: .multiValueHeaders)
        queryStringParameters = try container.decodeIfPresent([String: String].self, forKey: .queryStringParameters)
        multiValueQueryStringParameters = try container.decodeIfPresent(
            [String: [String]].self, forKey: .multiValueQueryStringParameters)
        pathParameters = try container.decodeIfPresent([String: String].self, forKey: .pathParameters)
        stageVariables = try container.decodeIfPresent([String: String].self, forKey: .stageVariables)
        requestContext = try container.decode(APIGatewayV1RequestContext.self, forKey: .requestContext)
        additionalFields = try decoder.additionalFields(excluding: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(methodARN, forKey: .methodARN)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(identitySource, forKey: .identitySource)
        try container.encodeIfPresent(authorizationToken, forKey: .authorizationToken)
        try container.encodeIfPresent(resource, forKey: .resource)
        try container.encodeIfPresent(path, forKey: .path)
        try container.encodeIfPresent(httpMethod, forKey: .httpMethod)
        try container.encodeIfPresent(headers, forKey: .headers)
        try container.encodeIfPresent(multiValueHeaders, forKey: .multiValueHeaders)
        try container.encodeIfPresent(queryStringParameters, forKey: .queryStringParameters)
        try container.encodeIfPresent(multiValueQueryStringParameters, forKey: .multiValueQueryStringParameters)
        try container.encodeIfPresent(pathParameters, forKey: .pathParameters)
        try container.encodeIfPresent(stageVariables, forKey: .stageVariables)
        try container.encode(requestContext, forKey: .requestContext)
        try encoder.encodeAdditionalFields(additionalFields)
    }
}

/// An HTTP API Lambda authorizer request, payload format 2.0.
public struct APIGatewayV2AuthorizerRequest: Codable, Sendable, Equatable {
    public var version: String
    public var type: String
    /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}`.
    public var routeARN: String
    /// The values of the configured identity sources; absent when caching is off.
    public var identitySource: [String]?
    public var routeKey: String
    public var rawPath: String
    public var rawQueryString: String
    public var cookies: [String]?
    public var headers: [String: String]?
    public var queryStringParameters: [String: String]?
    public var requestContext: APIGatewayV2RequestContext
    public var pathParameters: [String: String]?
    public var stageVariables: [String: String]?

    enum CodingKeys: String, CodingKey {
        case version, type, routeARN = "routeArn", identitySource, routeKey, rawPath, rawQueryString, cookies, headers,
            queryStringParameters, requestContext, pathParameters, stageVariables
    }
}

// MARK: - Responses

/// Any Lambda authorizer response: an IAM policy (REST, WebSocket, HTTP API) or a simple
/// yes/no (HTTP API payload 2.0 with simple responses enabled).
public enum APIGatewayAuthorizerResponse: Codable, Sendable, Equatable {
    case policy(APIGatewayAuthorizerPolicyResponse)
    case simple(APIGatewayV2SimpleAuthorizerResponse)

    enum DiscriminatorKeys: String, CodingKey {
        case isAuthorized
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DiscriminatorKeys.self)
        self =
            container.contains(.isAuthorized)
            ? .simple(try APIGatewayV2SimpleAuthorizerResponse(from: decoder))
            : .policy(try APIGatewayAuthorizerPolicyResponse(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .policy(let response): try response.encode(to: encoder)
        case .simple(let response): try response.encode(to: encoder)
        }
    }
}

public struct APIGatewayAuthorizerPolicyResponse: Codable, Sendable, Equatable {
    public var principalID: String
    public var policyDocument: IAMPolicyDocument
    /// Passed to the integration as `requestContext.authorizer`. API Gateway accepts only
    /// strings, numbers and booleans as values.
    public var context: [String: JSONValue]?
    /// The API key for usage plans, when the API's key source is `AUTHORIZER`.
    public var usageIdentifierKey: String?

    public init(
        principalID: String, policyDocument: IAMPolicyDocument, context: [String: JSONValue]? = nil,
        usageIdentifierKey: String? = nil
    ) {
        self.principalID = principalID
        self.policyDocument = policyDocument
        self.context = context
        self.usageIdentifierKey = usageIdentifierKey
    }

    /// A policy allowing or denying `execute-api:Invoke` on one resource.
    public init(
        principalID: String, effect: IAMPolicyStatement.Effect, resource: String,
        context: [String: JSONValue]? = nil
    ) {
        self.init(
            principalID: principalID,
            policyDocument: IAMPolicyDocument(statement: [
                IAMPolicyStatement(effect: effect, action: ["execute-api:Invoke"], resource: [resource])
            ]),
            context: context)
    }

    enum CodingKeys: String, CodingKey {
        case principalID = "principalId", policyDocument, context, usageIdentifierKey
    }
}

public struct APIGatewayV2SimpleAuthorizerResponse: Codable, Sendable, Equatable {
    public var isAuthorized: Bool
    public var context: [String: JSONValue]?

    public init(isAuthorized: Bool, context: [String: JSONValue]? = nil) {
        self.isAuthorized = isAuthorized
        self.context = context
    }
}

public struct IAMPolicyDocument: Codable, Sendable, Equatable {
    /// `2012-10-17`.
    public var version: String
    public var statement: [IAMPolicyStatement]

    public init(version: String = "2012-10-17", statement: [IAMPolicyStatement]) {
        self.version = version
        self.statement = statement
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case statement = "Statement"
    }
}

/// One policy statement. IAM accepts `Action` and `Resource` as a single string or an array;
/// both decode to arrays, and a single string is written back as a single string.
public struct IAMPolicyStatement: Codable, Sendable, Equatable {
    public enum Effect: String, Codable, Sendable, CaseIterable {
        case allow = "Allow"
        case deny = "Deny"
    }

    public var sid: String?
    public var effect: Effect
    public var action: [String]
    public var resource: [String]
    /// `{"StringEquals": {"aws:SourceIp": [...]}}`.
    public var condition: [String: [String: JSONValue]]?
    private var actionWasSingle = false
    private var resourceWasSingle = false

    public init(
        sid: String? = nil, effect: Effect, action: [String], resource: [String],
        condition: [String: [String: JSONValue]]? = nil
    ) {
        self.sid = sid
        self.effect = effect
        self.action = action
        self.resource = resource
        self.condition = condition
    }

    enum CodingKeys: String, CodingKey {
        case sid = "Sid"
        case effect = "Effect"
        case action = "Action"
        case resource = "Resource"
        case condition = "Condition"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sid = try container.decodeIfPresent(String.self, forKey: .sid)
        effect = try container.decode(Effect.self, forKey: .effect)
        (action, actionWasSingle) = try Self.decodeOneOrMany(container, .action)
        (resource, resourceWasSingle) = try Self.decodeOneOrMany(container, .resource)
        condition = try container.decodeIfPresent([String: [String: JSONValue]].self, forKey: .condition)
    }

    private static func decodeOneOrMany(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> ([String], Bool) {
        if let single = try? container.decode(String.self, forKey: key) { return ([single], true) }
        return (try container.decode([String].self, forKey: key), false)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(sid, forKey: .sid)
        try container.encode(effect, forKey: .effect)
        if actionWasSingle, action.count == 1 {
            try container.encode(action[0], forKey: .action)
        } else {
            try container.encode(action, forKey: .action)
        }
        if resourceWasSingle, resource.count == 1 {
            try container.encode(resource[0], forKey: .resource)
        } else {
            try container.encode(resource, forKey: .resource)
        }
        try container.encodeIfPresent(condition, forKey: .condition)
    }
}
