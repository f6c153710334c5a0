import AWSCore
import Foundation
import LambdaEmulator
import Testing

/// Where `swift build` put the products: beside the test bundle, unless told otherwise.
enum Products {
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["LAMBDA_KIT_BIN"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// The endpoint the AWS-dependent tests run against: moto_server started by `make test`.
enum Endpoint {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "these tests need an AWS endpoint: run them with `make test` (scripts/with-moto.sh starts moto_server), or set AWS_ENDPOINT_URL, AWS_REGION and credentials"
        }
    }

    static func configuration() throws -> AWSConfiguration {
        let environment = ProcessInfo.processInfo.environment
        guard environment["AWS_ENDPOINT_URL"]?.isEmpty == false else {
            Issue.record(Comment(rawValue: NotConfigured().description))
            throw NotConfigured()
        }
        return try AWSConfiguration(environment: environment)
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Polls `body` until it returns a value or `timeout` passes.
func eventually<T>(timeout: Duration = .seconds(60), _ body: () async throws -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await body() { return value }
        try await Task.sleep(for: .milliseconds(200))
    }
    return nil
}

func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
}
