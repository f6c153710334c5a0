import CLibcryptoRSA
import JSONCoding
import LambdaEvents
import LambdaHTTP
import Synchronization
import TextEncodings
import UTCTime

// An HTTP API JWT authorizer, validated the way API Gateway validates it: the token from the
// identity source, its RS256 signature against the issuer's JWKS, `iss`, `aud` (or `client_id`
// when there is no `aud`), `exp`, `nbf` and `iat`, and the route's scopes. What passes reaches
// the function as `requestContext.authorizer.jwt`, claims flattened to strings.

/// A JSON Web Token in compact serialization, split and decoded but not yet trusted.
public struct JSONWebToken: Sendable {
    public var header: [String: JSONValue]
    public var claims: [String: JSONValue]
    /// `base64url(header) "." base64url(payload)`: what the signature signs.
    public var signingInput: [UInt8]
    public var signature: [UInt8]

    public init(compact: Substring) throws(JWTRejection) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("a JWT has three dot-separated parts, this has \(parts.count)") }
        func object(_ part: Substring, _ name: String) throws(JWTRejection) -> [String: JSONValue] {
            guard let bytes = Base64.decode(url: part), let value = try? JSONValue(parsing: bytes),
                case .object(let object) = value
            else { throw .malformed("its \(name) is not base64url JSON object") }
            return object
        }
        header = try object(parts[0], "header")
        claims = try object(parts[1], "payload")
        guard let signature = Base64.decode(url: parts[2]) else { throw .malformed("its signature is not base64url") }
        self.signature = signature
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
    }
}

/// One RSA public key of a JWKS (RFC 7517).
public struct JSONWebKey: Sendable, Equatable, Codable {
    public var kty: String
    public var kid: String?
    public var alg: String?
    public var use: String?
    public var n: String?
    public var e: String?
}

public struct JSONWebKeySet: Sendable, Equatable, Codable {
    public var keys: [JSONWebKey]
}

/// Why a request did not pass the authorizer: API Gateway answers every one 401
/// `{"message":"Unauthorized"}` (or 403 for missing scopes) and says this in `www-authenticate`.
public enum JWTRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case missingToken
    case malformed(String)
    case unsupportedAlgorithm(String)
    case unknownKey(String)
    case invalidSignature
    case wrongIssuer(String)
    case wrongAudience
    case expired
    case notYetValid
    case issuedInTheFuture
    case insufficientScope([String])
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .missingToken: "no token in the identity source"
        case .malformed(let reason): "the token is not a JWT: \(reason)"
        case .unsupportedAlgorithm(let algorithm): "the token is signed with \(algorithm), not RS256"
        case .unknownKey(let kid): "the issuer's JWKS has no key \(kid)"
        case .invalidSignature: "the token's signature does not verify"
        case .wrongIssuer(let issuer): "the token's issuer \(issuer) is not the authorizer's"
        case .wrongAudience: "the token does not have a valid audience"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        case .issuedInTheFuture: "the token was issued in the future"
        case .insufficientScope(let scopes): "the token has none of the scopes \(scopes.joined(separator: " "))"
        case .keysUnavailable(let reason): "the issuer's JWKS could not be read: \(reason)"
        }
    }

    /// 403 for a valid token without the route's scopes (RFC 6750's insufficient_scope), else 401.
    public var status: Int {
        if case .insufficientScope = self { 403 } else { 401 }
    }

    /// The `www-authenticate` header API Gateway sends with the rejection.
    public var challenge: String {
        if case .insufficientScope(let scopes) = self {
            return
                #"Bearer scope="\#(scopes.joined(separator: " "))" error="insufficient_scope" error_description="\#(description)""#
        }
        return #"Bearer scope="" error="invalid_token" error_description="\#(description)""#
    }
}

/// An authorizer of the template (`Auth.Authorizers.<name>.JwtConfiguration`).
public struct JWTAuthorizerConfiguration: Sendable, Hashable {
    public var name: String
    /// The header the token comes from (`$request.header.Authorization` → `Authorization`).
    public var identityHeader: String
    public var issuer: String
    public var audiences: [String]

    public init(name: String, identityHeader: String = "Authorization", issuer: String, audiences: [String]) {
        self.name = name
        self.identityHeader = identityHeader
        self.issuer = issuer
        self.audiences = audiences
    }
}

/// Validates bearer tokens for the routes one authorizer protects. The issuer's keys are read
/// once, and again when a token names a key they do not have (the issuer rotated its keys).
public final class JWTAuthorizer: Sendable {
    public let configuration: JWTAuthorizerConfiguration
    /// Where the keys are read from: the issuer's `/.well-known/jwks.json`, or its local stand-in.
    public let jwksURL: String
    private let fetch: @Sendable (String) throws -> [UInt8]
    private let keys = Mutex<(set: JSONWebKeySet?, fetched: ContinuousClock.Instant?)>((nil, nil))

    /// - Parameter fetch: reads a URL's body (the JWKS); a test may serve it from memory.
    public init(
        configuration: JWTAuthorizerConfiguration, jwksURL: String,
        fetch: @escaping @Sendable (String) throws -> [UInt8] = JWTAuthorizer.get
    ) {
        self.configuration = configuration
        self.jwksURL = jwksURL
        self.fetch = fetch
    }

    /// Where a local endpoint serves an issuer's keys: Cognito's issuer
    /// `https://cognito-idp.<region>.amazonaws.com/<pool>` has them at `<endpoint>/<pool>/.well-known/jwks.json`
    /// on moto; any other issuer at its own `/.well-known/jwks.json`.
    public static func jwksURL(issuer: String, localEndpoint: String?) -> String {
        let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        if let localEndpoint, trimmed.hasPrefix("https://cognito-idp."),
            let pool = trimmed.split(separator: "/").last
        {
            let base = localEndpoint.hasSuffix("/") ? String(localEndpoint.dropLast()) : localEndpoint
            return "\(base)/\(pool)/.well-known/jwks.json"
        }
        return "\(trimmed)/.well-known/jwks.json"
    }

    @Sendable public static func get(_ url: String) throws -> [UInt8] {
        let response = try HTTPClient().execute(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
        guard response.status == 200 else {
            throw JWTRejection.keysUnavailable("GET \(url) answered \(response.status)")
        }
        return response.body
    }

    /// The authorizer's verdict on a request's headers for a route requiring `scopes` (none: any
    /// valid token).
    public func authorize(headers: HTTPHeaders, scopes: [String], now: UTCTime = .now()) -> Result<
        APIGatewayV2Authorizer.JWT, JWTRejection
    > {
        do {
            return .success(try validate(headers: headers, scopes: scopes, now: now))
        } catch {
            return .failure(error)
        }
    }

    func validate(headers: HTTPHeaders, scopes: [String], now: UTCTime) throws(JWTRejection)
        -> APIGatewayV2Authorizer.JWT
    {
        guard var value = headers[configuration.identityHeader].map({ Substring($0) }) else { throw .missingToken }
        value = value.drop { $0 == " " }
        // HTTP API takes the token with or without the Bearer scheme.
        if value.lowercased().hasPrefix("bearer ") { value = value.dropFirst(7).drop { $0 == " " } }
        while value.last == " " { value.removeLast() }
        guard !value.isEmpty else { throw .missingToken }
        let token = try JSONWebToken(compact: value)
        guard token.header["alg"]?.stringValue == "RS256" else {
            throw .unsupportedAlgorithm(token.header["alg"]?.stringValue ?? "no algorithm")
        }
        let kid = token.header["kid"]?.stringValue ?? ""
        let key = try self.key(kid)
        guard let modulus = key.n.flatMap({ Base64.decode(url: $0) }),
            let exponent = key.e.flatMap({ Base64.decode(url: $0) })
        else { throw .keysUnavailable("key \(kid) is not an RSA public key") }
        let verdict = modulus.withUnsafeBufferPointer { n in
            exponent.withUnsafeBufferPointer { e in
                token.signingInput.withUnsafeBufferPointer { input in
                    token.signature.withUnsafeBufferPointer { signature in
                        clibcrypto_rs256_verify(
                            n.baseAddress, n.count, e.baseAddress, e.count, input.baseAddress, input.count,
                            signature.baseAddress, signature.count)
                    }
                }
            }
        }
        guard verdict != -1 else { throw .keysUnavailable("key \(kid) is not a usable RSA key of 2048 bits or more") }
        guard verdict == 1 else { throw .invalidSignature }

        let claims = token.claims
        guard let issuer = claims["iss"]?.stringValue, issuer == configuration.issuer else {
            throw .wrongIssuer(claims["iss"]?.stringValue ?? "(none)")
        }
        // API Gateway checks client_id only when there is no aud.
        let audiences: [String] =
            switch claims["aud"] {
            case .string(let audience)?: [audience]
            case .array(let audiences)?: audiences.compactMap(\.stringValue)
            default: claims["client_id"]?.stringValue.map { [$0] } ?? []
            }
        guard audiences.contains(where: configuration.audiences.contains) else { throw .wrongAudience }
        let seconds = now.secondsSince1970
        guard let expiry = claims["exp"]?.doubleValue, expiry > seconds else { throw .expired }
        if let notBefore = claims["nbf"]?.doubleValue, notBefore > seconds { throw .notYetValid }
        if let issuedAt = claims["iat"]?.doubleValue, issuedAt > seconds + 300 { throw .issuedInTheFuture }
        let granted = claims["scope"]?.stringValue?.split(separator: " ").map(String.init)
        if !scopes.isEmpty, !scopes.contains(where: { granted?.contains($0) ?? false }) {
            throw .insufficientScope(scopes)
        }
        return APIGatewayV2Authorizer.JWT(claims: claims.mapValues(Self.flattened), scopes: granted)
    }

    private func key(_ kid: String) throws(JWTRejection) -> JSONWebKey {
        let now = ContinuousClock.now
        let (cached, fetched) = keys.withLock { ($0.set, $0.fetched) }
        if let key = cached?.keys.first(where: { $0.kid == kid }) { return key }
        // An unknown key reads the set again, at most every 10 seconds.
        if cached != nil, let fetched, now - fetched < .seconds(10) { throw .unknownKey(kid) }
        let set: JSONWebKeySet
        do {
            set = try JSON.decode(JSONWebKeySet.self, from: try fetch(jwksURL))
        } catch let rejection as JWTRejection {
            throw rejection
        } catch {
            throw .keysUnavailable("\(jwksURL): \(error)")
        }
        keys.withLock { $0 = (set, now) }
        guard let key = set.keys.first(where: { $0.kid == kid }) else { throw .unknownKey(kid) }
        return key
    }

    /// API Gateway passes every claim as a string: numbers and booleans as their JSON text,
    /// arrays as `[a b c]`.
    static func flattened(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .array(let items): "[" + items.map(flattened).joined(separator: " ") + "]"
        case .object, .null, .bool, .integer, .number: String(decoding: (try? JSON.encode(value)) ?? [], as: UTF8.self)
        }
    }
}
