import AWSCore
import ArgumentParser
import Foundation
import LocalPipeline

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract:
            "Run the whole system of a SAM template locally, against moto_server or another AWS-compatible endpoint.",
        subcommands: [PipelineUpCommand.self])
}

struct PipelineUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract:
            "Provision the template's resources, start its functions warm, serve its APIs and run its SQS event source mappings.",
        discussion: """
            Needs AWS_ENDPOINT_URL (e.g. scripts/with-moto.sh lambda-local pipeline up), AWS_REGION \
            and credentials. Queues (with redrive policies), topics and filtered subscriptions, event \
            buses and rules, and tables are created in the endpoint; each function runs as a warm \
            bootstrap process with its template environment, names resolved. The SQS event source \
            mappings poll as Lambda does: long poll, batch size and batching window, delete only what \
            is not in batchItemFailures; the rest reappears and reaches the DLQ after maxReceiveCount. \
            Each API of the template is served on one port with its routes (method and path, path \
            parameters, $default; no route is 404 {"message":"Not Found"}), and routes a JWT authorizer \
            guards take only a valid token of the template's user pool, created in the endpoint \
            (--user makes confirmed users). The web page (web/) is served at / of the first HTTP API. \
            One line per invocation on stdout; Ctrl-C stops cleanly.
            """)

    @OptionGroup var system: LocalSystemOptions

    @Option(help: "The port of the first API (the next API gets the next port).")
    var apiPort: Int = 3000

    @Option(help: "Processes per function behind each API and each event source mapping.")
    var concurrency: Int = 1

    @Option(
        help: ArgumentHelp(
            "Spoil a share of the functions' AWS calls, e.g. all=0.1,seed=7 or throttle=0.05,error=0.02,drop=0.02,lost=0.01.",
            valueName: "plan"))
    var faults: String?

    @Option(
        help: ArgumentHelp(
            "Kill a busy function process every N seconds and cut the pollers' SQS calls, e.g. kill=1.5,poll-drop=0.05,poll-lost=0.02,seed=7.",
            valueName: "plan"))
    var chaos: String?

    @Option(
        help: ArgumentHelp(
            "Fire a schedule rule (logical id or name) once as soon as the system is up, besides at its times (repeatable).",
            valueName: "Rule"))
    var fireNow: [String] = []

    @Option(
        help: ArgumentHelp(
            "Override every queue's visibility timeout, in seconds (failed messages come back sooner).",
            valueName: "seconds"))
    var visibilityTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "Override every function's timeout, in seconds (keep it below the visibility timeout).",
            valueName: "seconds"))
    var functionTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "The executable of a function, by logical id or name (repeatable).", valueName: "Function=PATH"))
    var executable: [String] = []

    @Option(
        help: ArgumentHelp(
            "Where to look for built functions (default: .build/debug, then .build/release).", valueName: "dir"))
    var buildPath: [String] = []

    @Flag(help: "Hide the functions' own log output.")
    var quietFunctions = false

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let faults { _ = try FaultPlan(parsing: faults) }
        if let chaos { _ = try ChaosPlan(parsing: chaos) }
        for pair in executable where !pair.contains("=") {
            throw ValidationError("--executable takes Function=PATH, got '\(pair)'")
        }
    }

    func run() throws {
        let configuration = try AWSConfiguration(environment: ProcessInfo.processInfo.environment)
        var plan: FaultPlan?
        if let faults { plan = try FaultPlan(parsing: faults) }
        let discard: @Sendable ([UInt8]) -> Void = { _ in }
        let forward: @Sendable ([UInt8]) -> Void = { bytes in FileHandle.standardError.write(Data(bytes)) }
        var options = PipelineOptions(
            templatePath: system.template, stackName: system.stackName,
            buildDirectories: buildPath.isEmpty ? [".build/debug", ".build/release"] : buildPath,
            executables: keyValues(executable), faults: plan, chaos: try chaos.map { try ChaosPlan(parsing: $0) },
            apiPort: apiPort,
            concurrency: concurrency, visibilityTimeoutOverride: visibilityTimeout,
            functionTimeoutOverride: functionTimeout.map { .seconds($0) },
            log: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
            functionOutput: quietFunctions ? discard : forward)
        options.fireSchedulesNow = fireNow
        let pipeline = try system.up(options, configuration: configuration)
        printError("pipeline up (Ctrl-C stops)")
        waitForInterrupt()
        try runAsync {
            await pipeline.stop()
            if let proxy = pipeline.faultProxy { printError("fault proxy: \(proxy.counts)") }
            for mapping in pipeline.mappings {
                let counts = mapping.counts
                printError(
                    "\(mapping.configuration.functionName) <- \(mapping.configuration.queueName): \(counts.invocations) invocations, \(counts.messagesDelivered) messages delivered, \(counts.messagesDeleted) deleted, \(counts.messagesFailed) failed"
                )
            }
        }
    }
}

/// What `pipeline up` and `start-api --from-template` share: the template, its stack name, the users
/// to sign in with, the web page, and where the resolved outputs go.
struct LocalSystemOptions: ParsableArguments {
    @Option(help: "The SAM template.")
    var template: String = "functions/template.yaml"

    @Option(help: "Prefix of generated resource names (AWS::StackName).")
    var stackName: String = "local"

    @Option(
        help: ArgumentHelp(
            "Create a confirmed user in the template's user pool (repeatable); sign in with it on the web page.",
            valueName: "NAME:PASSWORD"))
    var user: [String] = []

    @Option(
        help: ArgumentHelp(
            "Write the template's outputs as they resolved locally (API URL, user pool, client, topics, tables) as JSON.",
            valueName: "FILE"))
    var outputs: String?

    @Option(
        help: ArgumentHelp(
            "The web page to serve at / of the first HTTP API; its config.json is written there.", valueName: "DIR"))
    var web: String = "web"

    @Flag(help: "Serve no web page.")
    var noWeb = false

    func validate() throws {
        for pair in user where !pair.contains(":") || pair.hasPrefix(":") || pair.hasSuffix(":") {
            throw ValidationError("--user takes NAME:PASSWORD, got '\(pair)'")
        }
    }

    /// Brings the system up with these options added to `options`, and writes its outputs.
    func up(_ options: PipelineOptions, configuration: AWSConfiguration) throws -> PipelineRunner {
        var options = options
        apply(to: &options)
        let configured = options
        let runner = LockedBox<PipelineRunner?>(nil)
        try runAsync { runner.set(try await PipelineRunner.up(configured, configuration: configuration)) }
        // runAsync returned without throwing: up succeeded.
        let pipeline = runner.get()!
        do {
            try writeOutputs(of: pipeline)
        } catch {
            try? runAsync { await pipeline.stop() }
            throw error
        }
        return pipeline
    }

    private func apply(to options: inout PipelineOptions) {
        options.users = user.map { pair in
            let parts = pair.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }
        var isDirectory: ObjCBool = false
        if !noWeb, FileManager.default.fileExists(atPath: web, isDirectory: &isDirectory), isDirectory.boolValue {
            options.webRoot = web
        }
    }

    private func writeOutputs(of runner: PipelineRunner) throws {
        guard let outputs else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(runner.outputs) + Data("\n".utf8)).write(to: URL(fileURLWithPath: outputs))
        printError("outputs: \(outputs)")
    }
}
