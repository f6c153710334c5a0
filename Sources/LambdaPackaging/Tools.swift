import Foundation
import Synchronization

/// A command-line tool packaging runs, with what it is for and how to get it, so that a
/// missing one is reported by name instead of as a failed spawn.
public struct Tool: Sendable, Hashable {
    public var name: String
    public var purpose: String
    public var installHint: String

    public init(name: String, purpose: String, installHint: String) {
        self.name = name
        self.purpose = purpose
        self.installHint = installHint
    }

    public static let ldd = Tool(
        name: "ldd", purpose: "list the shared libraries a bootstrap loads", installHint: "apt-get install libc-bin")
    public static let patchelf = Tool(
        name: "patchelf", purpose: "point the bootstrap at the bundled dynamic loader and libraries",
        installHint: "apt-get install patchelf, or yum install patchelf")
    public static let strip = Tool(
        name: "strip", purpose: "strip symbols from the bootstrap", installHint: "apt-get install binutils")
    public static let zip = Tool(name: "zip", purpose: "write the deployment zip", installHint: "apt-get install zip")
    public static let unzip = Tool(
        name: "unzip", purpose: "unpack a zip into a task root", installHint: "apt-get install unzip")
    public static let unshare = Tool(
        name: "unshare", purpose: "run a bootstrap chrooted in an empty root with a private /proc mount",
        installHint: "apt-get install util-linux")
}

/// Finds tools on a search path and runs them to completion.
public struct ToolRunner: Sendable {
    public var searchPath: [String]

    public init(searchPath: [String]? = nil) {
        self.searchPath =
            searchPath
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            .split(separator: ":").map(String.init)
    }

    /// The absolute path of `tool`, or a ``PackagingError/missingTool(name:purpose:installHint:)``.
    public func locate(_ tool: Tool) throws(PackagingError) -> String {
        if tool.name.hasPrefix("/") {
            if FileManager.default.isExecutableFile(atPath: tool.name) { return tool.name }
        } else {
            for directory in searchPath where !directory.isEmpty {
                let candidate = directory + "/" + tool.name
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        throw .missingTool(name: tool.name, purpose: tool.purpose, installHint: tool.installHint)
    }

    /// Runs `tool` with `arguments` to completion; an exit status outside `acceptedStatuses`
    /// is an error carrying what the tool printed. (ldd exits 1 for a static binary, which
    /// is an answer, not a failure.)
    @discardableResult
    public func run(
        _ tool: Tool, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil,
        acceptedStatuses: Set<Int32> = [0]
    ) throws(PackagingError) -> ToolOutput {
        let executable = try locate(tool)
        let command = [executable] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .toolFailed(command: command, status: -1, output: "\(error)")
        }
        // Drain stderr on a thread of its own so that neither pipe can fill up and block the tool.
        let standardError = Mutex(Data())
        let drained = DispatchSemaphore(value: 0)
        let errorHandle = errors.fileHandleForReading
        Thread {
            let data = errorHandle.readDataToEndOfFile()
            standardError.withLock { $0 = data }
            drained.signal()
        }.start()
        let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        let result = ToolOutput(
            standardOutput: String(decoding: standardOutput, as: UTF8.self),
            standardError: standardError.withLock { String(decoding: $0, as: UTF8.self) })
        guard acceptedStatuses.contains(process.terminationStatus) else {
            let printed = (result.standardOutput + result.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .toolFailed(command: command, status: process.terminationStatus, output: printed)
        }
        return result
    }
}

extension ToolRunner {
    /// Runs `tool` with its output going to this process's standard error as it comes: for
    /// a long build, whose progress and compiler errors the user should see as they happen.
    public func runShowingOutput(
        _ tool: Tool, _ arguments: [String], environment: [String: String]? = nil
    ) throws(PackagingError) {
        let executable = try locate(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .toolFailed(command: [executable] + arguments, status: -1, output: "\(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .toolFailed(
                command: [executable] + arguments, status: process.terminationStatus, output: "(its output is above)")
        }
    }
}

public struct ToolOutput: Sendable {
    public var standardOutput: String
    public var standardError: String
}
