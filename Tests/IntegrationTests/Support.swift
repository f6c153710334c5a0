import Foundation
import LambdaEmulator
import Synchronization

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

/// Collects a bootstrap's stdout and stderr.
final class OutputCapture: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    var sink: @Sendable ([UInt8]) -> Void {
        { [self] chunk in self.bytes.withLock { $0 += chunk } }
    }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// Output arrives on reader threads; give them a moment to catch up with an invocation.
    func waitFor(_ needle: String, within seconds: Double = 2) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if text.contains(needle) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return text.contains(needle)
    }
}

func echoLambda(
    timeout: Duration = .seconds(3),
    initTimeout: Duration = .seconds(10),
    memorySize: Int = 128,
    environment: [String: String] = [:],
    logFormat: String? = nil,
    logLevel: String? = nil,
    output: OutputCapture? = nil
) throws -> LocalLambda {
    try LocalLambda(configuration: LocalLambdaConfiguration(
        command: [Products.path("echo")],
        functionName: "echo",
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

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to completion, as a user would from a shell.
func run(_ arguments: [String], stdin: String? = nil, directory: String? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting, so that a chatty child never blocks on a full pipe.
    let errorData = Mutex(Data())
    let errorRead = DispatchSemaphore(value: 0)
    Thread {
        errorData.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() }
        errorRead.signal()
    }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errorRead.wait()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: errorData.withLock { String(decoding: $0, as: UTF8.self) })
}

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
