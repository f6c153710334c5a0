@testable import AWSCore
import Foundation
import LambdaHTTP
import Logging
import Synchronization
import Testing

/// The endpoint and credentials the integration tests run against: moto_server started by
/// `make test` (scripts/with-moto.sh), or whatever AWS_ENDPOINT_URL names.
enum Endpoint {
    static let environment = ProcessInfo.processInfo.environment

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "AWS integration tests need an endpoint: run them with `make test`, which starts moto_server on loopback "
                + "(scripts/with-moto.sh), or set AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        }
    }

    /// The configuration from the environment; records a failure naming `make test` when absent,
    /// so that a bare `swift test` fails loudly rather than passing without testing anything.
    static func configuration() throws -> AWSConfiguration {
        guard environment["AWS_ENDPOINT_URL"]?.isEmpty == false else {
            Issue.record(Comment(rawValue: NotConfigured().description))
            throw NotConfigured()
        }
        return try AWSConfiguration(environment: environment)
    }

    /// A fresh name per run, so that tests against a long-lived endpoint never collide.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A raw JSON-protocol call, for the setup operations the kit does not carry (CreateTable,
    /// CreateQueue, PutRule): signed and sent by the same transport as everything else.
    static func json(_ transport: AWSTransport, _ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        guard case let .json(version, prefix) = transport.service.wireProtocol else { fatalError() }
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try await transport.send(
            operation: operation,
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation)"],
            body: Array(data), deadline: .now + .seconds(30))
        return (try JSONSerialization.jsonObject(with: Data(response.body.isEmpty ? Array("{}".utf8) : response.body)) as? [String: Any]) ?? [:]
    }

    /// Polls `body` until it returns a value or `timeout` passes: deliveries through SNS and
    /// EventBridge are asynchronous on real AWS (moto delivers at once).
    static func eventually<T>(timeout: Duration = .seconds(10), _ body: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await body() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }
}

/// Every log event rendered with its metadata.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    func logger() -> Logger {
        var logger = Logger(label: "integration") { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
