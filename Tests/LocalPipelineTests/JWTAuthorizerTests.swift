import Foundation
import LambdaEvents
import LambdaHTTP
import Synchronization
import TestSupport
import Testing
import UTCTime

@testable import LocalPipeline

/// The local API's JWT authorizer, checked the way HTTP API validates a token, against keys of
/// the test's own (signed by joserfc, so the signatures are an independent implementation's).
@Suite struct JWTAuthorizerTests {
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
    static let client = "client-web"
    static let now = UTCTime(secondsSince1970: Int64(1_800_000_000))

    static func claims(_ overrides: [String: Any] = [:], removing: [String] = []) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": issuer, "aud": client, "sub": "3f1c-user", "token_use": "id", "email": "ada@example.com",
            "email_verified": true, "iat": 1_799_999_000, "auth_time": 1_799_999_000, "exp": 1_800_003_600,
            "cognito:groups": ["admins", "ops"],
        ]
        for (key, value) in overrides { claims[key] = value }
        for key in removing { claims[key] = nil }
        return claims
    }

    /// Tokens signed by key `a` (kid k1) unless a case says otherwise; `a`'s JWKS is the issuer's.
    struct Cases {
        let forged: ForgedTokens
        let names: [String]
        func token(_ name: String) -> String { forged.tokens[names.firstIndex(of: name)!] }
    }

    nonisolated(unsafe) static let cases: [(name: String, key: String, kid: String, claims: [String: Any])] = [
        ("valid", "a", "k1", claims()),
        (
            "access", "a", "k1",
            claims(["client_id": client, "token_use": "access", "scope": "events/write openid"], removing: ["aud"])
        ),
        ("resigned", "b", "k1", claims()),
        ("unknownKey", "b", "k9", claims()),
        ("otherIssuer", "a", "k1", claims(["iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"])),
        ("otherAudience", "a", "k1", claims(["aud": "client-other"])),
        // API Gateway looks at client_id only when there is no aud.
        ("audWinsOverClientID", "a", "k1", claims(["aud": "client-other", "client_id": client])),
        ("audienceList", "a", "k1", claims(["aud": ["client-other", client]])),
        ("expired", "a", "k1", claims(["exp": 1_799_999_999])),
        ("noExpiry", "a", "k1", claims(removing: ["exp"])),
        ("notYet", "a", "k1", claims(["nbf": 1_800_000_100])),
        ("issuedInTheFuture", "a", "k1", claims(["iat": 1_800_001_000])),
    ]

    static let forged: Cases = {
        let forged = try! ForgedTokens(
            keys: ["a": ["kid": "k1"], "b": ["kid": "k1"]],
            tokens: cases.map { ["key": $0.key, "header": ["kid": $0.kid], "claims": $0.claims] })
        return Cases(forged: forged, names: cases.map(\.name))
    }()

    final class Fetches: Sendable {
        let count = Mutex(0)
    }

    func authorizer(jwks: [UInt8]? = nil, fetches: Fetches = Fetches()) -> JWTAuthorizer {
        let keys = jwks ?? Self.forged.forged.jwks["a"]!
        return JWTAuthorizer(
            configuration: JWTAuthorizerConfiguration(
                name: "CognitoJWT", issuer: Self.issuer, audiences: [Self.client]),
            jwksURL: "https://example.invalid/jwks.json"
        ) { _ in
            fetches.count.withLock { $0 += 1 }
            return keys
        }
    }

    func verdict(_ header: String?, scopes: [String] = [], authorizer: JWTAuthorizer? = nil) -> Result<
        APIGatewayV2Authorizer.JWT, JWTRejection
    > {
        var headers = HTTPHeaders()
        if let header { headers.add("Authorization", header) }
        return (authorizer ?? self.authorizer()).authorize(headers: headers, scopes: scopes, now: Self.now)
    }

    func rejection(_ header: String?, scopes: [String] = []) -> JWTRejection? {
        if case .failure(let rejection) = verdict(header, scopes: scopes) { return rejection }
        return nil
    }

    @Test func aValidIDTokenPassesWithOrWithoutTheBearerSchemeAndItsClaimsFlattened() throws {
        for header in [
            "Bearer " + Self.forged.token("valid"), Self.forged.token("valid"), "bearer  " + Self.forged.token("valid"),
        ] {
            let jwt = try verdict(header).get()
            let claims = try #require(jwt.claims)
            #expect(claims["sub"] == "3f1c-user")
            #expect(claims["email"] == "ada@example.com")
            // As API Gateway passes them: every claim a string.
            #expect(claims["email_verified"] == "true")
            #expect(claims["exp"] == "1800003600")
            #expect(claims["cognito:groups"] == "[admins ops]")
            #expect(jwt.scopes == nil)
        }
    }

    @Test func anAccessTokenPassesOnItsClientIDAndCarriesItsScopes() throws {
        let jwt = try verdict(Self.forged.token("access"), scopes: ["events/write"]).get()
        #expect(jwt.claims?["client_id"] == Self.client)
        #expect(jwt.scopes == ["events/write", "openid"])
    }

    @Test func everyInvalidTokenIsRefusedWithItsReason() {
        #expect(rejection(nil) == .missingToken)
        #expect(rejection("Bearer ") == .missingToken)
        #expect(rejection(Self.forged.token("resigned")) == .invalidSignature)
        #expect(rejection(Self.forged.token("unknownKey")) == .unknownKey("k9"))
        #expect(
            rejection(Self.forged.token("otherIssuer"))
                == .wrongIssuer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))
        #expect(rejection(Self.forged.token("otherAudience")) == .wrongAudience)
        #expect(rejection(Self.forged.token("audWinsOverClientID")) == .wrongAudience)
        #expect(rejection(Self.forged.token("expired")) == .expired)
        #expect(rejection(Self.forged.token("noExpiry")) == .expired)
        #expect(rejection(Self.forged.token("notYet")) == .notYetValid)
        #expect(rejection(Self.forged.token("issuedInTheFuture")) == .issuedInTheFuture)
        #expect((try? verdict(Self.forged.token("audienceList")).get()) != nil)
    }

    @Test func malformedTokensAndOtherAlgorithmsAreRefusedBeforeAnyKeyIsRead() throws {
        let fetches = Fetches()
        let authorizer = authorizer(fetches: fetches)
        func rejected(_ token: String) -> JWTRejection? {
            if case .failure(let rejection) = verdict(token, authorizer: authorizer) { return rejection }
            return nil
        }
        guard case .malformed? = rejected("not-a-jwt") else {
            Issue.record("a bare word passed")
            return
        }
        guard case .malformed? = rejected("a.b.c") else {
            Issue.record("garbage parts passed")
            return
        }
        let parts = Self.forged.token("valid").split(separator: ".")
        // alg none, or HS256 with the public key as its secret: the classic confusions.
        for algorithm in ["none", "HS256"] {
            let header = Data(#"{"alg":"\#(algorithm)","kid":"k1"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
            #expect(rejected("\(header).\(parts[1]).\(parts[2])") == .unsupportedAlgorithm(algorithm))
        }
        // A changed payload under the original signature.
        let claims = Data(#"{"iss":"\#(Self.issuer)","aud":"\#(Self.client)","sub":"mallory","exp":1800003600}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(rejected("\(parts[0]).\(claims).\(parts[2])") == .invalidSignature)
        #expect(fetches.count.withLock { $0 } == 1)
    }

    @Test func aRouteWithScopesNeedsOneOfThemAndAnswers403() {
        #expect(rejection(Self.forged.token("valid"), scopes: ["events/write"]) == .insufficientScope(["events/write"]))
        #expect(JWTRejection.insufficientScope(["events/write"]).status == 403)
        #expect(JWTRejection.expired.status == 401)
        #expect(
            JWTRejection.expired.challenge
                == #"Bearer scope="" error="invalid_token" error_description="the token has expired""#)
        #expect((try? verdict(Self.forged.token("access"), scopes: ["admin", "openid"]).get()) != nil)
    }

    @Test func theKeysAreReadOnceAndAgainForAnUnknownKeyAtMostEveryTenSeconds() {
        let fetches = Fetches()
        let authorizer = authorizer(fetches: fetches)
        for _ in 0..<3 { _ = verdict(Self.forged.token("valid"), authorizer: authorizer) }
        #expect(fetches.count.withLock { $0 } == 1)
        _ = verdict(Self.forged.token("unknownKey"), authorizer: authorizer)
        _ = verdict(Self.forged.token("unknownKey"), authorizer: authorizer)
        // The first unknown kid came within 10 s of the first read: no second read yet.
        #expect(fetches.count.withLock { $0 } == 1)
    }

    @Test func unreadableKeysAreAClearRejection() {
        let authorizer = authorizer(jwks: Array("<html>".utf8))
        guard case .failure(.keysUnavailable(let reason)) = verdict(Self.forged.token("valid"), authorizer: authorizer)
        else {
            Issue.record("a JWKS that is not JSON passed")
            return
        }
        #expect(reason.contains("https://example.invalid/jwks.json"))
    }

    @Test func cognitoIssuersReadTheirKeysFromTheLocalEndpoint() {
        #expect(
            JWTAuthorizer.jwksURL(issuer: Self.issuer, localEndpoint: "http://127.0.0.1:5000/")
                == "http://127.0.0.1:5000/us-east-1_pool/.well-known/jwks.json")
        #expect(
            JWTAuthorizer.jwksURL(issuer: "https://auth.example.com/", localEndpoint: "http://127.0.0.1:5000")
                == "https://auth.example.com/.well-known/jwks.json")
    }
}
