import ArgumentParser
import Foundation
import LambdaEmulator
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct InvokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Invoke a function once (or --repeat times) with an event, as Lambda would.",
        discussion: """
            Serves the Lambda Runtime API on a free loopback port, starts the function's \
            bootstrap as a process with the environment Lambda gives it, and sends it the event. \
            The response goes to stdout; the function's logs and Lambda's START/END/REPORT lines \
            go to stderr. Exits 1 when any invocation fails.
            """)

    @Argument(
        help:
            "The function: the name of a built executable (.build/debug or .build/release), or any name with --bootstrap."
    )
    var function: String

    @Argument(help: "A file holding the event JSON, or - for standard input. Default: {}.")
    var event: String?

    @Option(
        help: ArgumentHelp(
            "The bootstrap to run instead of a built binary: a path, or a command line in any language.",
            valueName: "path-or-command"))
    var bootstrap: String?

    @Option(help: "The invocation timeout, in seconds.")
    var timeout: Double = 3

    @Option(help: "The memory size, in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE).")
    var memory: Int = 128

    @Option(help: "Invoke this many times on one warm process.")
    var `repeat`: Int = 1

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("An environment variable for the function (repeatable).", valueName: "K=V"))
    var environment: [String] = []

    @Option(
        help: ArgumentHelp(
            "The tenant the invocation is for (Lambda-Runtime-Aws-Tenant-Id), as for a function with tenant isolation.",
            valueName: "id"))
    var tenantID: String?

    @Option(help: "AWS_REGION for the function.")
    var region: String = ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1"

    @Option(help: ArgumentHelp("AWS_LAMBDA_LOG_FORMAT: Text or JSON.", valueName: "format"))
    var logFormat: String?

    @Option(help: ArgumentHelp("AWS_LAMBDA_LOG_LEVEL: TRACE, DEBUG, INFO, WARN, ERROR or FATAL.", valueName: "level"))
    var logLevel: String?

    @Option(help: "_HANDLER, for runtimes that read it.")
    var handler: String = "bootstrap"

    @Option(
        help: ArgumentHelp(
            "The task root: the bootstrap's working directory. Default: the current directory.", valueName: "dir"))
    var taskRoot: String?

    @Option(
        help: ArgumentHelp(
            "Where to look for built functions (default: .build/debug and .build/release, newest first).",
            valueName: "dir"))
    var buildPath: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard memory >= 128, memory <= 10_240 else {
            throw ValidationError("--memory must be between 128 and 10240 MB, as Lambda allows")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        for pair in environment where !pair.contains("=") {
            throw ValidationError("--env takes K=V, got '\(pair)'")
        }
    }

    func run() throws {
        let payload = try readEvent()
        let command = try resolveFunctionCommand(function, bootstrap: bootstrap, buildPath: buildPath)
        let variables = keyValues(environment)
        let lambda = try LocalLambda(
            configuration: LocalLambdaConfiguration(
                command: command,
                functionName: function,
                memorySize: memory,
                timeout: .milliseconds(Int64(timeout * 1000)),
                region: region,
                handler: handler,
                logFormat: logFormat,
                logLevel: logLevel,
                environment: variables,
                workingDirectory: taskRoot))
        // Generous grace: a profiler or debugger wrapping the bootstrap needs time to write its output.
        defer { lambda.shutdown(gracePeriod: .seconds(3)) }

        // Under AWS_LAMBDA_MAX_CONCURRENCY=N the process polls N events at once: the repeats go
        // N at a time, as Lambda Managed Instances would hand them over.
        let inFlight = variables["AWS_LAMBDA_MAX_CONCURRENCY"].flatMap(Int.init).map { max(1, $0) } ?? 1
        // An atomic counter: the workers meet nowhere else, and ThreadSanitizer, which checks
        // this tool in the integration tests, does not see `Mutex`'s futex.
        let failures = Atomic(0)
        let printing = NSLock()
        // Threads of their own, not concurrentPerform: that runs only as many at once as there
        // are cores, and these mostly wait.
        let finished = DispatchSemaphore(value: 0)
        for worker in 0..<inFlight {
            Thread { [self] in
                for _ in stride(from: worker, to: `repeat`, by: inFlight) {
                    let succeeded = invokeOnce(
                        lambda, payload: payload, printsStreams: inFlight == 1, printing: printing)
                    if !succeeded { failures.wrappingAdd(1, ordering: .relaxed) }
                }
                finished.signal()
            }.start()
        }
        for _ in 0..<inFlight { finished.wait() }
        // The semaphore orders every worker's last add before this load.
        if failures.load(ordering: .relaxed) > 0 { throw ExitCode(1) }
    }

    /// One invocation with Lambda's START/END/REPORT lines around it; false when it failed.
    private func invokeOnce(_ lambda: LocalLambda, payload: [UInt8], printsStreams: Bool, printing: NSLock) -> Bool {
        let requestID = UUID().uuidString.lowercased()
        printError("START RequestId: \(requestID) Version: $LATEST")
        // A streamed response is printed as it arrives when invocations go one at a time
        // (concurrent streams would interleave).
        let streamed = Mutex(false)
        let onChunk: @Sendable ([UInt8]) -> Void = { chunk in
            streamed.withLock { $0 = true }
            FileHandle.standardOutput.write(Data(chunk))
        }
        let report = lambda.invoke(
            payload, requestID: requestID, tenantID: tenantID, onChunk: printsStreams ? onChunk : nil)
        printing.lock()
        defer { printing.unlock() }
        if case .timedOut(let limit) = report.result {
            printError("\(isoNow()) \(requestID) Task timed out after \(InvocationReport.seconds(limit)) seconds")
        }
        printError("END RequestId: \(requestID)")
        printError(report.reportLine)
        if streamed.withLock({ $0 }) {
            // The stream's bytes are out already; an error that ended it follows them.
            let tail = report.isSuccess ? [] : [UInt8(ascii: "\n")] + report.payload
            FileHandle.standardOutput.write(Data(tail + [UInt8(ascii: "\n")]))
        } else {
            FileHandle.standardOutput.write(Data(report.payload + [UInt8(ascii: "\n")]))
        }
        return report.isSuccess

    }

    private func readEvent() throws -> [UInt8] {
        guard let event else { return Array("{}".utf8) }
        if event == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: event) else {
            throw ValidationError("cannot read the event file '\(event)'")
        }
        return Array(data)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func isoNow() -> String {
    Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
}
