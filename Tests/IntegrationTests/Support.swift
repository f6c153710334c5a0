import Foundation
import LambdaEmulator
import Synchronization
import TestSupport

/// `launcher` comes before the bootstrap's path in the command (`taskset`, say).
func faultyLambda(
    product: String = "faulty",
    launcher: [String] = [],
    timeout: Duration = .seconds(3),
    initTimeout: Duration = .seconds(10),
    memorySize: Int = 128,
    environment: [String: String] = [:],
    logFormat: String? = nil,
    logLevel: String? = nil,
    output: OutputCapture? = nil
) throws -> LocalLambda {
    try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: launcher + [Products.path(product)],
            functionName: product,
            memorySize: memorySize,
            timeout: timeout,
            initTimeout: initTimeout,
            logFormat: logFormat,
            logLevel: logLevel,
            environment: environment,
            functionOutput: output?.sink ?? LocalLambdaConfiguration.discard))
}

func json(_ bytes: [UInt8]) -> NSDictionary? {
    try? JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
}

func json(_ string: String) -> [UInt8] { Array(string.utf8) }

/// A Python handler for AWS's own runtime interface client, in a fresh task root.
func pythonTaskRoot() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ric-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try """
    def handler(event, context):
        if event.get("fail"):
            raise ValueError(event["fail"])
        if event.get("big"):
            return "x" * event["big"]
        return {
            "event": event,
            "requestId": context.aws_request_id,
            "functionName": context.function_name,
            "remainingMs": context.get_remaining_time_in_millis(),
        }
    """.write(to: directory.appendingPathComponent("handler.py"), atomically: true, encoding: .utf8)
    return directory.path
}

let pythonRICCommand = ["python3", "-m", "awslambdaric", "handler.handler"]
