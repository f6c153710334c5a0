import Foundation
import LambdaHTTP
import Synchronization

/// Collects a child process's output as it arrives on reader threads.
///
/// Behind `Guarded`'s pthread mutex rather than `Mutex`: the reader thread and the test's thread
/// meet only at this lock, and ThreadSanitizer does not see `Mutex`'s futex.
public final class OutputCapture: Sendable {
    private let bytes = Guarded<[UInt8]>([])

    public init() {}

    public var sink: @Sendable ([UInt8]) -> Void {
        { [self] chunk in self.bytes.update { $0 += chunk } }
    }

    public var text: String { bytes.update { String(decoding: $0, as: UTF8.self) } }

    public var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// Output arrives on reader threads; give them a moment to catch up with an invocation.
    public func waitFor(_ needle: String, within seconds: Double = 2) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if text.contains(needle) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return text.contains(needle)
    }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Both streams, stdout first: for messages and for checks that do not care which.
    public var output: String { stdout + stderr }
}

/// Runs a command to completion, as a user would from a shell.
public func run(
    _ arguments: [String], stdin: String? = nil, directory: String? = nil, environment: [String: String]? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
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

public func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
}

/// A long-running command a test talks to (a server the tool starts), with its output
/// captured; `stop()` ends it by PID (SIGINT, as Ctrl-C would, then SIGKILL).
public final class BackgroundProcess: Sendable {
    public let output = OutputCapture()
    private let process: Process

    public init(_ arguments: [String], environment: [String: String]? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        // A blocking read on a thread of its own, not a `readabilityHandler`: tearing down the
        // read source that one installs races libdispatch's epoll bookkeeping on Linux, and the
        // test process crashed in `_dispatch_event_loop_drain` (swift-corelibs-libdispatch#949).
        // The thread ends at end of file, when the process and whatever inherited its output
        // have exited.
        let sink = output.sink
        let reader = pipe.fileHandleForReading
        Thread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                sink(Array(data))
            }
        }.start()
    }

    deinit { stop() }

    /// The first match of `pattern`'s first capture group in the output, waiting for it.
    public func waitForMatch(_ pattern: String, within seconds: Double = 30) -> String? {
        let expression = try! NSRegularExpression(pattern: pattern)
        let end = Date().addingTimeInterval(seconds)
        repeat {
            let text = output.text
            if let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let range = Range(match.range(at: 1), in: text)
            {
                return String(text[range])
            }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < end && process.isRunning
        return nil
    }

    public var isRunning: Bool { process.isRunning }

    /// The exit status once the process ends by itself, or nil if it is still running then.
    public func waitForExit(within seconds: Double) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        let end = Date().addingTimeInterval(5)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
