import AWSCore
import Foundation
import Testing

/// The endpoint and credentials the AWS-dependent tests run against: moto_server started by
/// `make test` (scripts/with-moto.sh), or whatever AWS_ENDPOINT_URL names.
public enum Endpoint {
    public static let environment = ProcessInfo.processInfo.environment

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "these tests need an AWS endpoint: run them with `make test`, which starts moto_server on loopback "
                + "(scripts/with-moto.sh), or set AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        }
    }

    /// The configuration from the environment; records a failure naming `make test` when absent,
    /// so that a bare `swift test` fails loudly rather than passing without testing anything.
    public static func configuration() throws -> AWSConfiguration {
        guard environment["AWS_ENDPOINT_URL"]?.isEmpty == false else {
            Issue.record(Comment(rawValue: NotConfigured().description))
            throw NotConfigured()
        }
        return try AWSConfiguration(environment: environment)
    }

    /// A fresh name per run, so that tests against a long-lived endpoint never collide.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A raw JSON-protocol call, for the setup operations the kit does not carry (CreateTable,
    /// CreateQueue, PutRule, Scan): signed and sent by the same transport as everything else.
    @discardableResult
    public static func json(_ transport: AWSTransport, _ operation: String, _ body: [String: Any]) async throws
        -> [String: Any]
    {
        guard case .json(let version, let prefix) = transport.service.wireProtocol else {
            preconditionFailure("\(transport.service) does not speak a JSON protocol")
        }
        let response = try await transport.send(
            operation: operation,
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation)"],
            body: Array(try JSONSerialization.data(withJSONObject: body)), deadline: .now + .seconds(30))
        return
            (try JSONSerialization.jsonObject(with: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
            as? [String: Any]) ?? [:]
    }
}

/// Polls `body` until it returns a value or `timeout` passes: deliveries through SNS and
/// EventBridge are asynchronous on real AWS (moto delivers at once), and pipelines drain in time.
public func eventually<T>(timeout: Duration = .seconds(10), _ body: () async throws -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await body() { return value }
        try await Task.sleep(for: .milliseconds(200))
    }
    return nil
}
