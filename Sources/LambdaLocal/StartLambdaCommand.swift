import ArgumentParser
import Foundation
import LambdaEmulator
import LocalPipeline

struct StartLambdaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start-lambda",
        abstract: "Serve the Lambda Invoke API for functions, so the AWS CLI and SDKs invoke them with --endpoint-url.",
        discussion: """
            Invoke (RequestResponse, Event, DryRun; LogType Tail) and InvokeWithResponseStream on \
            loopback, as `sam local start-lambda` and the Runtime Interface Emulator serve them. \
            Each function runs on warm processes through the Runtime API emulator: an idle one is \
            reused, a concurrent call starts another (up to --max-processes), and under \
            AWS_LAMBDA_MAX_CONCURRENCY=N (--env) one process takes N calls at once. One line per \
            invocation on stderr. Ctrl-C stops.

              lambda-local start-lambda echo stream --port 3001
              aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name echo \\
                --cli-binary-format raw-in-base64-out --payload '{"hello":"world"}' out.json
            """)

    @Argument(help: "The functions: names of built executables (or one name with --bootstrap).")
    var functions: [String]

    @Option(help: "The port to listen on.")
    var port: Int = 3001

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Processes per function at most, for concurrent calls.")
    var maxProcesses: Int = 10

    @Option(
        help: ArgumentHelp(
            "The bootstrap to run instead of a built binary (one function only): a path, or a command line.",
            valueName: "path-or-command"))
    var bootstrap: String?

    @Option(help: "The invocation timeout, in seconds.")
    var timeout: Double = 3

    @Option(help: "The memory size, in MB.")
    var memory: Int = 128

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("An environment variable for the functions (repeatable).", valueName: "K=V"))
    var environment: [String] = []

    @Option(help: "AWS_REGION for the functions, and the region of their ARNs.")
    var region: String = ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1"

    @Option(
        help: ArgumentHelp(
            "Where to look for built functions (default: .build/debug and .build/release, newest first).",
            valueName: "dir"))
    var buildPath: [String] = []

    func validate() throws {
        guard !functions.isEmpty else { throw ValidationError("name at least one function") }
        guard bootstrap == nil || functions.count == 1 else {
            throw ValidationError("--bootstrap runs one function; name only that one")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxProcesses >= 1 else { throw ValidationError("--max-processes must be at least 1") }
        for pair in environment where !pair.contains("=") { throw ValidationError("--env takes K=V, got '\(pair)'") }
        if let value = keyValues(environment)["AWS_LAMBDA_MAX_CONCURRENCY"], (Int(value) ?? 0) < 1 {
            throw ValidationError("AWS_LAMBDA_MAX_CONCURRENCY must be a positive integer, got '\(value)'")
        }
    }

    func run() throws {
        let variables = keyValues(environment)
        let perProcess = variables["AWS_LAMBDA_MAX_CONCURRENCY"].flatMap(Int.init) ?? 1
        let served = try functions.map { name in
            let configuration = LocalLambdaConfiguration(
                command: try resolveFunctionCommand(name, bootstrap: bootstrap, buildPath: buildPath),
                functionName: name, memorySize: memory, timeout: .milliseconds(Int64(timeout * 1000)), region: region,
                environment: variables)
            let logs = FunctionLogs()
            let pool = LambdaPool(maximumProcesses: maxProcesses, invocationsPerProcess: perProcess) {
                try logs.makeLambda(configuration)
            }
            return LocalLambdaService.Function(name: name, pool: pool, logs: logs)
        }
        let service = try LocalLambdaService(functions: served, host: host, port: port, region: region) { record in
            var line = "\(isoNow()) \(record.function) \(record.invocationType) -> \(record.status)"
            if let report = record.report {
                line += " \(report.requestID) \(InvocationReport.milliseconds(report.duration)) ms"
                if let initDuration = report.initDuration {
                    line += " (cold start: init \(InvocationReport.milliseconds(initDuration)) ms)"
                }
                if !report.isSuccess { line += " \(report.errorType ?? "error")" }
                if record.invocationType == "Event", !report.isSuccess {
                    let attempts = "attempt \(record.attempt) of \(record.maximumAttempts)"
                    line +=
                        record.attempt == record.maximumAttempts
                        ? " (\(attempts): discarded, no destination)" : " (\(attempts): retrying)"
                }
            }
            printError(line)
        }
        printError("\(functions.joined(separator: ", ")): Lambda Invoke API on \(service.url) (Ctrl-C stops)")
        waitForInterrupt()
        service.stop()
        for function in served { function.pool.shutdown() }
    }
}
