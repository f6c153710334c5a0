import AWSCore
import ArgumentParser
import Foundation
import LambdaEmulator
import LocalPipeline
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct StartAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start-api",
        abstract:
            "Serve a function behind a local API Gateway (HTTP API v2, or REST v1 with --rest), or a template's APIs with --template.",
        discussion: """
            Listens on loopback; each request becomes an API Gateway proxy event, the function \
            runs on a warm process through the Runtime API emulator, and its response is answered \
            the way API Gateway answers it (status, headers, cookies, base64 bodies decoded; a \
            function error is a 502). One line per request on stderr. Ctrl-C stops.

            With --template instead of a function, each API of the template is served on one port \
            (the next API on the next port) with its routes and JWT authorizers, as pipeline up \
            serves them, and the resources the functions use are provisioned in AWS_ENDPOINT_URL; \
            no event source mapping or schedule runs.
            """)

    @Argument(help: "The function: the name of a built executable, or any name with --bootstrap.")
    var function: String?

    @Flag(help: "Serve the template's APIs (see --template) rather than one function.")
    var fromTemplate = false

    @OptionGroup var system: LocalSystemOptions

    @Option(help: "The port to listen on.")
    var port: Int = 3000

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Flag(help: "Send REST API (v1) proxy events instead of HTTP API (v2) ones.")
    var rest = false

    @Option(help: "Processes of the function, for concurrent requests.")
    var concurrency: Int = 1

    @Option(
        help: ArgumentHelp(
            "The bootstrap to run instead of a built binary: a path, or a command line.", valueName: "path-or-command"))
    var bootstrap: String?

    @Option(help: "The invocation timeout, in seconds.")
    var timeout: Double = 30

    @Option(help: "The memory size, in MB.")
    var memory: Int = 128

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("An environment variable for the function (repeatable).", valueName: "K=V"))
    var environment: [String] = []

    @Option(
        help: ArgumentHelp(
            "Where to look for built functions (default: .build/debug and .build/release, newest first).",
            valueName: "dir"))
    var buildPath: [String] = []

    func validate() throws {
        guard fromTemplate == (function == nil) else {
            throw ValidationError("name a function, or pass --from-template to serve the template's APIs")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        for pair in environment where !pair.contains("=") { throw ValidationError("--env takes K=V, got '\(pair)'") }
    }

    func run() throws {
        guard let function else { return try serveTemplate() }
        let command = try resolveFunctionCommand(function, bootstrap: bootstrap, buildPath: buildPath)
        let lambdas = try (0..<concurrency).map { _ in
            try LocalLambda(
                configuration: LocalLambdaConfiguration(
                    command: command, functionName: function, memorySize: memory,
                    timeout: .milliseconds(Int64(timeout * 1000)),
                    environment: keyValues(environment)))
        }
        for lambda in lambdas {
            if case .failed(let report) = lambda.start() {
                for lambda in lambdas { lambda.shutdown() }
                printError("\(function) failed its init phase: \(String(decoding: report.payload, as: UTF8.self))")
                throw ExitCode(1)
            }
        }
        let gateway = try LocalAPIGateway(
            pool: LambdaPool(lambdas), format: rest ? .restV1 : .httpAPIv2, host: host, port: port
        ) { record in
            let outcome =
                record.report.map {
                    "\(InvocationReport.milliseconds($0.duration)) ms\($0.isSuccess ? "" : " \($0.errorType ?? "error")")"
                } ?? record.rejection ?? ""
            printError("\(isoNow()) \(record.method) \(record.target) -> \(record.status) \(outcome)")
        }
        printError("\(function): \(rest ? "REST API (v1)" : "HTTP API (v2)") on \(gateway.url) (Ctrl-C stops)")
        waitForInterrupt()
        gateway.stop()
        for lambda in lambdas { lambda.shutdown() }
    }
}

extension StartAPICommand {
    /// The template's APIs alone: `pipeline up` without its event sources.
    func serveTemplate() throws {
        let configuration = try AWSConfiguration(environment: ProcessInfo.processInfo.environment)
        var options = PipelineOptions(
            templatePath: system.template, stackName: system.stackName,
            buildDirectories: buildPath.isEmpty ? [".build/debug", ".build/release"] : buildPath, apiPort: port,
            concurrency: concurrency, functionTimeoutOverride: .milliseconds(Int64(timeout * 1000)),
            log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        options.runsEventSources = false
        let pipeline = try system.up(options, configuration: configuration)
        printError("APIs up (Ctrl-C stops)")
        waitForInterrupt()
        try runAsync { await pipeline.stop() }
    }
}

/// Blocks until SIGINT or SIGTERM.
func waitForInterrupt() {
    let interrupted = DispatchSemaphore(value: 0)
    var sources: [DispatchSourceSignal] = []
    for signalNumber in [SIGINT, SIGTERM] {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { interrupted.signal() }
        source.resume()
        sources.append(source)
    }
    interrupted.wait()
    printError("stopping")
    for source in sources { source.cancel() }
}

func keyValues(_ pairs: [String]) -> [String: String] {
    var variables: [String: String] = [:]
    for pair in pairs {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        variables[String(parts[0])] = String(parts[1])
    }
    return variables
}

/// The bootstrap's argv: --bootstrap as given (a command line goes through sh), else the
/// newest built binary of that name.
func resolveFunctionCommand(_ function: String, bootstrap: String?, buildPath: [String]) throws -> [String] {
    if let bootstrap {
        if FileManager.default.isExecutableFile(atPath: bootstrap) { return [bootstrap] }
        return ["/bin/sh", "-c", "exec \(bootstrap)"]
    }
    let directories = buildPath.isEmpty ? [".build/debug", ".build/release"] : buildPath
    func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }
    let newest = directories.map { URL(fileURLWithPath: $0).appendingPathComponent(function).path }
        .filter { FileManager.default.isExecutableFile(atPath: $0) }
        .max { modified($0) < modified($1) }
    guard let newest else {
        throw ValidationError(
            "no built function '\(function)' in \(directories.joined(separator: " or ")): build it first (swift build --product \(function)) or pass --bootstrap"
        )
    }
    return [newest]
}

/// Runs async work from a synchronous command: the main thread waits while the work runs
/// on the cooperative pool.
func runAsync(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = LockedBox<(any Error)?>(nil)
    Task {
        do { try await body() } catch { failure.set(error) }
        done.signal()
    }
    done.wait()
    if let error = failure.get() { throw error }
}

final class LockedBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}
