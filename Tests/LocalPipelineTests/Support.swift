import Foundation
import LambdaEmulator

/// A Python function on AWS's runtime interface client, in a fresh task root.
func pythonFunction(_ source: String) throws -> (taskRoot: String, command: [String]) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try source.write(to: directory.appendingPathComponent("handler.py"), atomically: true, encoding: .utf8)
    return (directory.path, ["python3", "-m", "awslambdaric", "handler.handler"])
}

func pythonLambda(
    _ source: String, name: String = "py", timeout: Duration = .seconds(10), environment: [String: String] = [:]
) throws -> LocalLambda {
    let function = try pythonFunction(source)
    return try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: function.command, functionName: name, timeout: timeout, environment: environment,
            workingDirectory: function.taskRoot, functionOutput: LocalLambdaConfiguration.discard))
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
