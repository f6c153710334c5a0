import Hashing
import LambdaHTTP
import TextEncodings
import UTCTime

/// The intermediate products of one signature, for tests against the AWS suite.
/// `package`, never public: together with the request they are enough to replay it.
package struct SigV4Signature: Sendable {
    package var canonicalRequest: String
    package var stringToSign: String
    package var signature: String
    package var authorization: String
}

/// AWS Signature Version 4, header-based, for services other than S3 (paths are normalized
/// and encoded twice, the payload hash is not sent as a header).
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// The service name of the credential scope ("dynamodb", "sns").
    public var service: String
    public var securityTokenPlacement: SecurityTokenPlacement

    /// Where `X-Amz-Security-Token` goes. Every service this kit calls wants it signed; the
    /// other placement exists because the AWS suite tests it (and a few old services need it).
    public enum SecurityTokenPlacement: Sendable {
        case signed
        case addedAfterSigning
    }

    public init(
        credentials: AWSCredentials, region: String, service: String,
        securityTokenPlacement: SecurityTokenPlacement = .signed
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.securityTokenPlacement = securityTokenPlacement
    }

    /// Headers never signed: they are changed or added by proxies and HTTP stacks on the way.
    static let unsignedHeaders: Set<String> = [
        "authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length", "connection",
    ]

    /// Adds `Host` (when absent), `X-Amz-Date`, `X-Amz-Security-Token` (with a session token)
    /// and `Authorization` to `request`.
    public func sign(_ request: inout HTTPRequest, at time: UTCTime) {
        _ = signReturningDetails(&request, at: time)
    }

    @discardableResult
    package func signReturningDetails(_ request: inout HTTPRequest, at time: UTCTime) -> SigV4Signature {
        let url = SigningURL(request.url)
        if !request.headers.contains("Host") { request.headers.add("Host", url.host) }
        request.headers.replaceOrAdd("X-Amz-Date", time.amzDate)
        request.headers.remove("Authorization")
        if let token = credentials.sessionToken, securityTokenPlacement == .signed {
            request.headers.replaceOrAdd("X-Amz-Security-Token", token)
        }

        // Lowercased names in byte order; repeated fields joined by commas in the order sent.
        var canonicalHeaders: [String: [String]] = [:]
        var names: [String] = []
        for (name, value) in request.headers {
            let lower = name.lowercased()
            guard !Self.unsignedHeaders.contains(lower) else { continue }
            if canonicalHeaders[lower] == nil { names.append(lower) }
            canonicalHeaders[lower, default: []].append(Self.trimAndCollapse(value))
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let signedHeaders = names.joined(separator: ";")
        let headerBlock = names.map { "\($0):\(canonicalHeaders[$0]!.joined(separator: ","))\n" }.joined()

        let canonicalRequest = [
            request.method.uppercased(),
            url.canonicalPath,
            url.canonicalQuery,
            headerBlock,
            signedHeaders,
            Digest.sha256(request.body).hexEncoded,
        ].joined(separator: "\n")

        let scope = "\(time.dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign =
            "AWS4-HMAC-SHA256\n\(time.amzDate)\n\(scope)\n\(Digest.sha256(Array(canonicalRequest.utf8)).hexEncoded)"
        let signature = Digest.hmacSHA256(key: signingKey(dateStamp: time.dateStamp), data: Array(stringToSign.utf8))
            .hexEncoded
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        request.headers.add("Authorization", authorization)
        if let token = credentials.sessionToken, securityTokenPlacement == .addedAfterSigning {
            request.headers.replaceOrAdd("X-Amz-Security-Token", token)
        }
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization)
    }

    private func signingKey(dateStamp: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), data: Array(dateStamp.utf8))
        for part in [region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, data: Array(part.utf8))
        }
        return key
    }

    /// Trims the value and turns each run of whitespace (folded lines included) into one space.
    static func trimAndCollapse(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The parts of a request URL that SigV4 canonicalizes, parsed without Foundation's URL,
/// which would reject or re-encode exactly the characters the suite tests.
struct SigningURL {
    var host: String
    var rawPath: Substring
    var rawQuery: Substring?

    init(_ url: String) {
        var rest = Substring(url)
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        // The default port is not part of Host as curl sends it.
        if url.hasPrefix("https://"), authority.hasSuffix(":443") { authority = authority.dropLast(4) }
        if url.hasPrefix("http://"), authority.hasSuffix(":80") { authority = authority.dropLast(3) }
        host = String(authority)
        let pathAndQuery = rest[authorityEnd...]
        if let mark = pathAndQuery.firstIndex(of: "?") {
            rawPath = pathAndQuery[..<mark]
            rawQuery = pathAndQuery[pathAndQuery.index(after: mark)...]
        } else {
            rawPath = pathAndQuery
            rawQuery = nil
        }
    }

    /// Dot segments and empty segments removed, then each segment percent-encoded as sent
    /// (so an already-encoded path is encoded a second time, as non-S3 services expect).
    var canonicalPath: String {
        var segments: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var path = "/" + segments.map { PercentEncoding.encode($0) }.joined(separator: "/")
        let last = rawPath.split(separator: "/", omittingEmptySubsequences: false).last
        if !segments.isEmpty, rawPath.hasSuffix("/") || last == "." || last == ".." { path += "/" }
        return path
    }

    /// Each parameter decoded then encoded strictly, sorted by name then value.
    var canonicalQuery: String {
        guard let rawQuery, !rawQuery.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for parameter in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.encode(PercentEncoding.decode(parts[0]))
            let value = parts.count > 1 ? PercentEncoding.encode(PercentEncoding.decode(parts[1])) : ""
            pairs.append((name, value))
        }
        pairs.sort { a, b in
            a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
        }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
