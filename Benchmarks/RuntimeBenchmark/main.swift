// Measures a runtime the way a Lambda user pays for it: warm invocations per second through
// the Runtime API emulator, cold start (process start to its first /next), and the idle
// bootstrap's peak RSS. The same emulator drives AWS's Python runtime interface client
// (awslambdaric) in the same run, so the two are compared on the same machine and load.
//
//   swift build -c release && .build/release/RuntimeBenchmark [--invocations N] [--cold-starts N]
//       [--event FILE] [--python-invocations N] [--zip dist/echo.zip] [--c-loop PATH] [--rounds N]
//       [--batches N]
//
// `--zip` measures the packaged echo as Lambda runs it: unzipped into an empty root and started
// through its bundled loader (what `make test-package` runs), instead of the `--echo` binary.
// `--c-loop` adds a C Runtime API loop (Benchmarks/CRuntimeLoop, over the same minimal libcurl)
// as the floor: `make bench-package` runs all three in one run. With `--zip`, the C loop is
// packaged the same way and started the same way (its own empty root, through `unshare` and the
// bundled loader), so that the comparison is like for like: `unshare` alone adds about 1.2 ms
// to every start here. It is also measured started directly, for reference.
//
// The runtimes are measured interleaved, since the host's load drifts over a run and a runtime
// measured after another would be judged on a different machine: their cold starts alternate one
// by one, and their warm invocations alternate in `--batches N` batches (10) between processes
// that stay up. `--rounds N` repeats the whole and reports each round and the medians.
//
// `--event` echoes that file instead of the 1 KB event: `make bench-large-event` gives it the
// 2.6 MB SQS batch (10 x 256 KB) EventsBenchmark writes, where JSON decoding and encoding
// are most of an invocation.

import Foundation
import LambdaEmulator
import LambdaPackaging

struct Options {
    var echo = ".build/release/echo"
    var python = "python3"
    var invocations = 20_000
    var coldStarts = 20
    var skipPython = false
    var eventFile: String?
    var pythonInvocations: Int?
    var zip: String?
    var cLoop: String?
    var rounds = 1
    var batches = 10
    var inProcess = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--echo": echo = iterator.next() ?? echo
            case "--python": python = iterator.next() ?? python
            case "--invocations": invocations = iterator.next().flatMap(Int.init) ?? invocations
            case "--cold-starts": coldStarts = iterator.next().flatMap(Int.init) ?? coldStarts
            case "--skip-python": skipPython = true
            case "--event": eventFile = iterator.next()
            case "--python-invocations": pythonInvocations = iterator.next().flatMap(Int.init)
            case "--zip": zip = iterator.next()
            case "--c-loop": cLoop = iterator.next()
            case "--rounds": rounds = max(1, iterator.next().flatMap(Int.init) ?? rounds)
            case "--batches": batches = max(1, iterator.next().flatMap(Int.init) ?? batches)
            case "--in-process": inProcess = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

struct Figures {
    var name: String
    var invocationsPerSecond: Double
    var latencyP50: Duration
    var latencyP99: Duration
    var coldStartP50: Duration
    var coldStartP90: Duration
    var idlePeakRSSKB: Int
    var peakRSSAfterLoadKB: Int
    /// The bootstrap's own CPU time per warm invocation: what the runtime costs, apart
    /// from the emulator's thread hand-offs that bound the throughput figure.
    var cpuPerInvocation: Duration
}

func percentile(_ values: [Duration], _ p: Double) -> Duration {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func milliseconds(_ duration: Duration) -> String {
    String(format: "%.2f ms", duration / .milliseconds(1))
}

/// Measures every runtime of one round, interleaved as finely as the measurement allows: the
/// cold starts alternate one by one, and the warm invocations alternate in `batches` batches
/// between processes that stay up, so that a drift in the host's load falls on all alike.
func measure(
    _ contenders: [(name: String, configuration: LocalLambdaConfiguration, invocations: Int)], event: [UInt8],
    coldStarts: Int, batches: Int
) throws -> [Figures] {
    let lambdas = try contenders.map { try LocalLambda(configuration: $0.configuration) }
    defer { for lambda in lambdas { lambda.shutdown() } }

    // Cold starts: a fresh process each time, measured to its first /next.
    var starts = Array(repeating: [Duration](), count: lambdas.count)
    var idleRSS = Array(repeating: [Int](), count: lambdas.count)
    for _ in 0..<coldStarts {
        for (index, lambda) in lambdas.enumerated() {
            switch lambda.start() {
            case .ready(let initDuration):
                starts[index].append(initDuration)
                // Lambda freezes the process here; its peak so far is what init cost.
                idleRSS[index].append(lambda.peakResidentKilobytes ?? 0)
            case .failed(let report):
                throw BenchmarkError(
                    description:
                        "\(contenders[index].name) failed to start: \(String(decoding: report.payload, as: UTF8.self))")
            }
            lambda.stopProcess()
        }
    }

    // Warm invocations on one process each, one at a time as Lambda sends them.
    for (index, lambda) in lambdas.enumerated() {
        for _ in 0..<min(200, max(10, contenders[index].invocations / 10)) { _ = lambda.invoke(event) }
    }
    let clock = ContinuousClock()
    var latencies = Array(repeating: [Duration](), count: lambdas.count)
    var elapsed = Array(repeating: Duration.zero, count: lambdas.count)
    var cpuUsed = Array(repeating: Duration.zero, count: lambdas.count)
    for batch in 0..<batches {
        for (index, lambda) in lambdas.enumerated() {
            let total = contenders[index].invocations
            let count = total / batches + (batch < total % batches ? 1 : 0)
            let cpuBefore = lambda.bootstrapCPUTime ?? .zero
            let began = clock.now
            for _ in 0..<count {
                let sent = clock.now
                let report = lambda.invoke(event)
                guard report.isSuccess else {
                    throw BenchmarkError(
                        description:
                            "\(contenders[index].name) failed: \(String(decoding: report.payload, as: UTF8.self))")
                }
                latencies[index].append(sent.duration(to: clock.now))
            }
            elapsed[index] += began.duration(to: clock.now)
            cpuUsed[index] += (lambda.bootstrapCPUTime ?? .zero) - cpuBefore
        }
    }
    return lambdas.indices.map { index in
        Figures(
            name: contenders[index].name,
            invocationsPerSecond: Double(contenders[index].invocations) / (elapsed[index] / .seconds(1)),
            latencyP50: percentile(latencies[index], 0.5),
            latencyP99: percentile(latencies[index], 0.99),
            coldStartP50: percentile(starts[index], 0.5),
            coldStartP90: percentile(starts[index], 0.9),
            idlePeakRSSKB: idleRSS[index].sorted()[idleRSS[index].count / 2],
            peakRSSAfterLoadKB: lambdas[index].peakResidentKilobytes ?? 0,
            cpuPerInvocation: cpuUsed[index] / contenders[index].invocations)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}

let options = Options(CommandLine.arguments)
guard options.zip != nil || FileManager.default.isExecutableFile(atPath: options.echo) else {
    FileHandle.standardError.write(Data("no echo binary at \(options.echo): run swift build -c release first\n".utf8))
    exit(2)
}

let event: [UInt8]
if let file = options.eventFile {
    event = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
} else {
    event = Array(
        try JSONSerialization.data(withJSONObject: ["id": "evt-1", "pad": String(repeating: "a", count: 990)]))
    precondition((1000...1100).contains(event.count), "the event should be about 1 KB")
}
print("event: \(options.eventFile ?? "1 KB JSON object"), \(event.count) bytes")
if options.inProcess {
    await InProcessBenchmark.run(event: event, invocations: options.invocations, rounds: max(3, options.rounds))
    exit(0)
}

/// One runtime to measure: how to start it, and how many warm invocations to send it.
struct Contender {
    var name: String
    var configuration: LocalLambdaConfiguration
    var invocations: Int
    /// The floor the first runtime is compared with.
    var isFloor = false
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func median(_ values: [Duration]) -> Duration {
    .nanoseconds(Int64(median(values.map { $0 / .nanoseconds(1) })))
}

func medianFigures(_ rounds: [Figures]) -> Figures {
    Figures(
        name: rounds[0].name,
        invocationsPerSecond: median(rounds.map(\.invocationsPerSecond)),
        latencyP50: median(rounds.map(\.latencyP50)),
        latencyP99: median(rounds.map(\.latencyP99)),
        coldStartP50: median(rounds.map(\.coldStartP50)),
        coldStartP90: median(rounds.map(\.coldStartP90)),
        idlePeakRSSKB: Int(median(rounds.map { Double($0.idlePeakRSSKB) })),
        peakRSSAfterLoadKB: Int(median(rounds.map { Double($0.peakRSSAfterLoadKB) })),
        cpuPerInvocation: median(rounds.map(\.cpuPerInvocation)))
}

func row(_ figures: Figures) -> String {
    "| \(figures.name) | \(String(format: "%.0f", figures.invocationsPerSecond)) | \(milliseconds(figures.latencyP50)) | \(milliseconds(figures.latencyP99)) | \(String(format: "%.1f µs", figures.cpuPerInvocation / .microseconds(1))) | \(milliseconds(figures.coldStartP50)) | \(milliseconds(figures.coldStartP90)) | \(String(format: "%.1f MB", Double(figures.idlePeakRSSKB) / 1024)) | \(String(format: "%.1f MB", Double(figures.peakRSSAfterLoadKB) / 1024)) |"
}

let tableHeader = """
    | runtime | warm invocations/s | latency p50 | latency p99 | bootstrap CPU per invocation | cold start p50 | cold start p90 | idle peak RSS | peak RSS after load |
    |---|---:|---:|---:|---:|---:|---:|---:|---:|
    """

/// A zip's bootstrap as Lambda starts it: in its empty root, with only Lambda's environment.
func inEmptyRoot(_ root: EmptyRoot, functionName: String) throws -> LocalLambdaConfiguration {
    LocalLambdaConfiguration(
        command: try root.command(), functionName: functionName,
        environment: ["LAMBDA_TASK_ROOT": EmptyRoot.taskRoot], inheritsEnvironment: false,
        functionOutput: LocalLambdaConfiguration.discard)
}

var roundsOfFigures: [[Figures]] = []
var roots: [EmptyRoot] = []
defer { for root in roots { try? root.remove() } }
do {
    var contenders: [Contender] = []
    if let zip = options.zip {
        let root = try EmptyRoot(zip: zip)
        roots.append(root)
        let bytes = (try FileManager.default.attributesOfItem(atPath: zip)[.size] as? NSNumber)?.intValue ?? 0
        print(String(format: "%@: %d bytes (%.2f MiB)", zip, bytes, Double(bytes) / 1_048_576))
        contenders.append(
            Contender(
                name: "swift-lambda-kit (\(URL(fileURLWithPath: zip).lastPathComponent), empty root)",
                configuration: try inEmptyRoot(root, functionName: "echo"), invocations: options.invocations))
    } else {
        contenders.append(
            Contender(
                name: "swift-lambda-kit (echo, release)",
                configuration: LocalLambdaConfiguration(
                    command: [options.echo], functionName: "echo", functionOutput: LocalLambdaConfiguration.discard),
                invocations: options.invocations))
    }
    if let cLoop = options.cLoop {
        let binary = URL(fileURLWithPath: cLoop).lastPathComponent
        if options.zip != nil {
            // Packaged as the bootstraps are (stripped, the loader and libc bundled, the
            // interpreter pointed at /var/task/lib) and started in an empty root the same way.
            let staging = FileManager.default.temporaryDirectory.appendingPathComponent("c-loop-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: staging) }
            let packaged = try LambdaPackager().package(binary: cLoop, name: "c-loop", into: staging.path)
            let root = try EmptyRoot(zip: packaged.zipPath)
            roots.append(root)
            contenders.append(
                Contender(
                    name: "C loop over the minimal libcurl (\(binary), empty root)",
                    configuration: try inEmptyRoot(root, functionName: "c-loop"), invocations: options.invocations,
                    isFloor: true))
        }
        contenders.append(
            Contender(
                name: "C loop over the minimal libcurl (\(binary)\(options.zip != nil ? ", started directly" : ""))",
                configuration: LocalLambdaConfiguration(
                    command: [cLoop], functionName: "c-loop", functionOutput: LocalLambdaConfiguration.discard),
                invocations: options.invocations, isFloor: options.zip == nil))
    }

    if !options.skipPython {
        let taskRoot = FileManager.default.temporaryDirectory.appendingPathComponent("ric-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: taskRoot, withIntermediateDirectories: true)
        try "def handler(event, context):\n    return event\n".write(
            to: taskRoot.appendingPathComponent("handler.py"), atomically: true, encoding: .utf8)
        contenders.append(
            Contender(
                name: "awslambdaric (Python)",
                configuration: LocalLambdaConfiguration(
                    command: [options.python, "-m", "awslambdaric", "handler.handler"], functionName: "python-ric",
                    handler: "handler.handler", workingDirectory: taskRoot.path,
                    functionOutput: LocalLambdaConfiguration.discard),
                invocations: options.pythonInvocations ?? max(1000, options.invocations / 4)))
    }

    for round in 1...options.rounds {
        let figures = try measure(
            contenders.map { ($0.name, $0.configuration, $0.invocations) }, event: event,
            coldStarts: options.coldStarts, batches: options.batches)
        roundsOfFigures.append(figures)
        if options.rounds > 1 {
            print("round \(round) of \(options.rounds):")
            print(tableHeader)
            for figures in figures { print(row(figures)) }
            print("")
        }
    }

    let results = contenders.indices.map { index in medianFigures(roundsOfFigures.map { $0[index] }) }
    if options.rounds > 1 { print("median of \(options.rounds) rounds:") }
    print(tableHeader)
    for figures in results { print(row(figures)) }

    func perRound(_ ratio: (Figures, Figures) -> Double, against index: Int, format: String) -> String {
        let values = roundsOfFigures.map { ratio($0[0], $0[index]) }
        let rounds = values.map { String(format: format, $0) }.joined(separator: ", ")
        return options.rounds > 1
            ? String(format: format, median(values)) + " (median; rounds: \(rounds))"
            : String(format: format, values[0])
    }

    if let floor = contenders.firstIndex(where: \.isFloor) {
        print("")
        print("Against the \(contenders[floor].name):")
        print(
            "- warm throughput: "
                + perRound({ $0.invocationsPerSecond / $1.invocationsPerSecond }, against: floor, format: "%.2f×"))
        print(
            "- cold start p50: "
                + perRound(
                    { ($0.coldStartP50 - $1.coldStartP50) / .milliseconds(1) }, against: floor, format: "%+.2f ms"))
        print(
            String(
                format: "- peak RSS after load: %.1f MB against %.1f MB",
                Double(results[0].peakRSSAfterLoadKB) / 1024, Double(results[floor].peakRSSAfterLoadKB) / 1024))
    }
    if let python = contenders.firstIndex(where: { $0.name.hasPrefix("awslambdaric") }) {
        let swift = results[0]
        let ric = results[python]
        print("")
        print(
            String(
                format:
                    "Ratios (swift-lambda-kit vs awslambdaric): %.1f× the warm throughput, %.1f× less CPU per invocation, %.1f× faster cold start, %.2f× the idle memory.",
                swift.invocationsPerSecond / ric.invocationsPerSecond,
                ric.cpuPerInvocation / swift.cpuPerInvocation,
                ric.coldStartP50 / swift.coldStartP50,
                Double(swift.idlePeakRSSKB) / Double(ric.idlePeakRSSKB)))
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    for root in roots { try? root.remove() }
    exit(1)
}
