import LambdaEvents

// Reading a template's APIs: each API of the template with the routes its functions' events
// declare and the JWT authorizers that guard them. Pure reading, no AWS.

/// An HTTP or REST API of the template, as the local API serves it: one port, its routes.
public struct APIDefinition: Sendable, Equatable {
    public struct Route: Sendable, Equatable {
        public var method: String
        public var path: String
        public var format: APIGatewayPayloadFormat
        /// The function behind the route, by logical id.
        public var function: String
        /// The route's JWT authorizer; nil when the route is open.
        public var authorizer: JWTAuthorizerConfiguration?
        public var scopes: [String]
    }

    /// The logical id (`HttpApi`), or SAM's implicit `ServerlessHttpApi`/`ServerlessRestApi`.
    public var logicalID: String
    public var routes: [Route]
}

extension CloudFormationTemplate {
    /// Every API the functions' events name, with their routes in the order the functions list
    /// them, resolved against `names` (the authorizers' issuers and audiences name the user pool
    /// and its client).
    public func apis(functions: [FunctionDefinition], names: ResolvedNames) throws -> [APIDefinition] {
        var apis: [APIDefinition] = []
        for function in functions {
            for event in function.apiEvents {
                let authorizer = try self.authorizer(of: event, names: names)
                let route = APIDefinition.Route(
                    method: event.method.uppercased(), path: event.path, format: event.format,
                    function: function.logicalID, authorizer: authorizer, scopes: event.scopes)
                if let index = apis.firstIndex(where: { $0.logicalID == event.apiID }) {
                    apis[index].routes.append(route)
                } else {
                    apis.append(APIDefinition(logicalID: event.apiID, routes: [route]))
                }
            }
        }
        return apis.sorted { $0.logicalID < $1.logicalID }
    }

    /// The JWT authorizer a route's event ends up with: its own `Auth.Authorizer`, else the
    /// API's `DefaultAuthorizer`; `NONE`, or an API without authorizers, leaves it open.
    func authorizer(of event: APIEventSource, names: ResolvedNames) throws -> JWTAuthorizerConfiguration? {
        guard event.format == .httpAPIv2, let api = resource(event.apiID) else { return nil }
        let auth = api.properties["Auth"]
        guard let name = event.authorizer ?? auth?["DefaultAuthorizer"]?.string, name != "NONE" else { return nil }
        let path = "\(event.apiID).Auth.Authorizers.\(name)"
        guard let definition = auth?["Authorizers"]?[name] else {
            throw TemplateError("\(path): the route names an authorizer the API does not define")
        }
        guard let jwt = definition["JwtConfiguration"] else {
            // A Lambda authorizer is not emulated: say so rather than leave the route open.
            throw TemplateError("\(path): only JWT authorizers are emulated locally")
        }
        let issuer = try names.string(jwt["issuer"] ?? .null, at: "\(path).JwtConfiguration.issuer")
        let audiences = try (jwt["audience"]?.list ?? []).enumerated().map {
            try names.string($1, at: "\(path).JwtConfiguration.audience[\($0)]")
        }
        var header = "Authorization"
        if let source = definition["IdentitySource"]?.string, source.hasPrefix("$request.header.") {
            header = String(source.dropFirst("$request.header.".count))
        }
        return JWTAuthorizerConfiguration(name: name, identityHeader: header, issuer: issuer, audiences: audiences)
    }
}
