import TextEncodings

/// Removes the secret parts of a set of credentials from text that may reach a log or an
/// error: an endpoint may echo what it was sent (AWS's SignatureDoesNotMatch message quotes
/// the canonical request, security token included).
package struct SecretRedactor: Sendable {
    private let secrets: [String]

    package init(credentials: AWSCredentials) {
        secrets = [credentials.secretAccessKey, credentials.sessionToken].compactMap { $0 }.filter { $0.count >= 8 }
    }

    package func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.containsText(secret) {
            text = text.replacingText(secret, with: "<redacted>")
        }
        return text
    }

    package func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        let redacted = redact(text)
        return redacted == text ? bytes : Array(redacted.utf8)
    }
}
