import Foundation

/// JSON Web Tokens signed for the JWT authorizer's tests by `Tests/Fixtures/jwt/forge.py`
/// (joserfc, which moto installs): keys of a test's own, or moto's Cognito signing key.
public struct ForgedTokens: Sendable {
    /// Each key's public JWKS, as an issuer serves it.
    public var jwks: [String: [UInt8]]
    public var tokens: [String]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - keys: by name, `["kid": "k1"]` for a fresh 2048-bit key, or `["moto": true]`.
    ///   - tokens: each `["key": name, "header": [...], "claims": [...]]`; the header gets `alg` RS256.
    public init(keys: [String: [String: Any]], tokens: [[String: Any]]) throws {
        let request = try JSONSerialization.data(withJSONObject: ["keys": keys, "tokens": tokens])
        let script = repositoryRoot.appendingPathComponent("Tests/Fixtures/jwt/forge.py").path
        let result = try run(["/usr/bin/env", "python3", script], stdin: String(decoding: request, as: UTF8.self))
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let jwks = object["jwks"] as? [String: Any], let tokens = object["tokens"] as? [String]
        else { throw Failure(description: "forge.py failed (\(result.status)): \(result.stderr)") }
        self.jwks = try jwks.mapValues { Array(try JSONSerialization.data(withJSONObject: $0)) }
        self.tokens = tokens
    }
}
