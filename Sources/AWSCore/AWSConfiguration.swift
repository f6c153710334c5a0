/// One AWS service as the kit addresses it: how its endpoint is named, what it signs as, and
/// which wire protocol it speaks.
public struct AWSService: Sendable, Hashable {
    /// The name errors and logs use ("DynamoDB").
    public var name: String
    /// The SigV4 service name in the credential scope ("dynamodb").
    public var signingName: String
    /// The host label of the public endpoint ("dynamodb" in dynamodb.us-east-1.amazonaws.com).
    public var endpointPrefix: String
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`: the service id upper-cased with spaces as
    /// underscores, as the AWS SDKs define it ("DYNAMODB", "EVENTBRIDGE").
    public var environmentSuffix: String
    public var wireProtocol: WireProtocol

    public enum WireProtocol: Sendable, Hashable {
        /// `awsJson1_0` / `awsJson1_1`: POST /, `X-Amz-Target: <prefix>.<Operation>`.
        case json(version: String, targetPrefix: String)
        /// `awsQuery`: a form-encoded POST with `Action` and `Version`, XML responses.
        case query(apiVersion: String)
    }

    public init(
        name: String, signingName: String, endpointPrefix: String, environmentSuffix: String, wireProtocol: WireProtocol
    ) {
        self.name = name
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.environmentSuffix = environmentSuffix
        self.wireProtocol = wireProtocol
    }
}

/// Why a client could not be configured. Raised at init, so a bootstrap fails in its init
/// phase with a message that names the missing variable.
public enum AWSConfigurationError: Error, Equatable, CustomStringConvertible {
    case missingRegion
    case missingCredentials(missing: [String])
    case invalidEndpoint(variable: String, value: String)

    public var description: String {
        switch self {
        case .missingRegion:
            "no AWS region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION"
        case .missingCredentials(let missing):
            "no AWS credentials: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set (Lambda sets them from the function's execution role)"
        case .invalidEndpoint(let variable, let value):
            "\(variable)=\(value) is not an http:// or https:// URL"
        }
    }
}

/// Region, credentials and endpoint overrides, read once from the standard variables.
public struct AWSConfiguration: Sendable, CustomStringConvertible {
    public var region: String
    public var credentials: AWSCredentials
    /// `AWS_ENDPOINT_URL`: one endpoint for every service (LocalStack, moto).
    public var endpointURL: String?
    /// `AWS_ENDPOINT_URL_<SERVICE>`, keyed by the service's environment suffix; wins over `endpointURL`.
    public var serviceEndpointURLs: [String: String]

    public init(
        region: String, credentials: AWSCredentials, endpointURL: String? = nil,
        serviceEndpointURLs: [String: String] = [:]
    ) {
        self.region = region
        self.credentials = credentials
        self.endpointURL = endpointURL
        self.serviceEndpointURLs = serviceEndpointURLs
    }

    /// Reads `AWS_REGION` (else `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_<SERVICE>`. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables the
    /// endpoint overrides, as in the AWS SDKs.
    public init(environment: [String: String]) throws(AWSConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        guard let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") else { throw .missingRegion }
        let accessKeyID = value("AWS_ACCESS_KEY_ID")
        let secret = value("AWS_SECRET_ACCESS_KEY")
        guard let accessKeyID, let secret else {
            throw .missingCredentials(
                missing: [
                    accessKeyID == nil ? "AWS_ACCESS_KEY_ID" : nil,
                    secret == nil ? "AWS_SECRET_ACCESS_KEY" : nil,
                ].compactMap { $0 })
        }
        var endpointURL: String?
        var serviceEndpointURLs: [String: String] = [:]
        if value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() != "true" {
            let prefix = "AWS_ENDPOINT_URL"
            for (name, url) in environment where name.hasPrefix(prefix) && !url.isEmpty {
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw .invalidEndpoint(variable: name, value: url)
                }
                if name == prefix {
                    endpointURL = url
                } else if name.hasPrefix(prefix + "_") {
                    serviceEndpointURLs[String(name.dropFirst(prefix.count + 1))] = url
                }
            }
        }
        self.init(
            region: region,
            credentials: AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN")),
            endpointURL: endpointURL,
            serviceEndpointURLs: serviceEndpointURLs)
    }

    /// The base URL requests to `service` go to, without a trailing slash.
    public func endpoint(for service: AWSService) -> String {
        var url =
            serviceEndpointURLs[service.environmentSuffix] ?? endpointURL
            ?? "https://\(service.endpointPrefix).\(region).\(Self.dnsSuffix(region: region))"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The partition's domain. FIPS and dual-stack endpoints are not chosen automatically;
    /// `AWS_ENDPOINT_URL_<SERVICE>` selects them.
    static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    public var description: String {
        "AWSConfiguration(region: \(region), credentials: \(credentials), endpointURL: \(endpointURL ?? "default"), serviceEndpointURLs: \(serviceEndpointURLs))"
    }
}
