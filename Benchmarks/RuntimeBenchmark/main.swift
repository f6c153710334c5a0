// Measures a runtime the way a Lambda user pays for it: warm invocations per second through
// the Runtime API emulator, cold start (process start to its first /next), and the idle
// bootstrap's peak RSS. The same emulator drives AWS's Python runtime interface client
// (awslambdaric) in the same run, so the two are compared on the same machine and load.
//
//   swift build -c release && .build/release/RuntimeBenchmark [--invocations N] [--cold-starts N]
//       [--event FILE] [--python-invocations N] [--zip dist/echo.zip] [--c-loop PATH]
//
// `--zip` measures the packaged echo as Lambda runs it: unzipped into an empty root and started
// through its bundled loader (what `make test-package` runs), instead of the `--echo` binary.
// `--c-loop` adds a C Runtime API loop (Benchmarks/CRuntimeLoop, over the same minimal libcurl)
// as the floor: `make bench-package` runs all three in one run.
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

func measure(
    name: String, configuration: LocalLambdaConfiguration, event: [UInt8], invocations: Int, coldStarts: Int
) throws -> Figures {
    // Cold starts: a fresh process each time, measured to its first /next.
    let lambda = try LocalLambda(configuration: configuration)
    defer { lambda.shutdown() }
    var starts: [Duration] = []
    var idleRSS: [Int] = []
    for _ in 0..<coldStarts {
        switch lambda.start() {
        case .ready(let initDuration):
            starts.append(initDuration)
            // Lambda freezes the process here; its peak so far is what init cost.
            idleRSS.append(lambda.peakResidentKilobytes ?? 0)
        case .failed(let report):
            throw BenchmarkError(
                description: "\(name) failed to start: \(String(decoding: report.payload, as: UTF8.self))")
        }
        lambda.stopProcess()
    }

    // Warm invocations on one process, one at a time as Lambda sends them.
    for _ in 0..<min(200, max(10, invocations / 10)) { _ = lambda.invoke(event) }
    var latencies: [Duration] = []
    latencies.reserveCapacity(invocations)
    let clock = ContinuousClock()
    let cpuBefore = lambda.bootstrapCPUTime ?? .zero
    let began = clock.now
    for _ in 0..<invocations {
        let sent = clock.now
        let report = lambda.invoke(event)
        guard report.isSuccess else {
            throw BenchmarkError(description: "\(name) failed: \(String(decoding: report.payload, as: UTF8.self))")
        }
        latencies.append(sent.duration(to: clock.now))
    }
    let elapsed = began.duration(to: clock.now)
    let cpuUsed = (lambda.bootstrapCPUTime ?? .zero) - cpuBefore
    return Figures(
        name: name,
        invocationsPerSecond: Double(invocations) / (elapsed / .seconds(1)),
        latencyP50: percentile(latencies, 0.5),
        latencyP99: percentile(latencies, 0.99),
        coldStartP50: percentile(starts, 0.5),
        coldStartP90: percentile(starts, 0.9),
        idlePeakRSSKB: idleRSS.sorted()[idleRSS.count / 2],
        peakRSSAfterLoadKB: lambda.peakResidentKilobytes ?? 0,
        cpuPerInvocation: cpuUsed / invocations)
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

var results: [Figures] = []
do {
    if let zip = options.zip {
        let root = try EmptyRoot(zip: zip)
        defer { try? root.remove() }
        let bytes = (try FileManager.default.attributesOfItem(atPath: zip)[.size] as? NSNumber)?.intValue ?? 0
        print(String(format: "%@: %d bytes (%.2f MiB)", zip, bytes, Double(bytes) / 1_048_576))
        results.append(
            try measure(
                name: "swift-lambda-kit (\(URL(fileURLWithPath: zip).lastPathComponent), empty root)",
                configuration: LocalLambdaConfiguration(
                    command: try root.command(), functionName: "echo",
                    environment: ["LAMBDA_TASK_ROOT": EmptyRoot.taskRoot], inheritsEnvironment: false,
                    functionOutput: LocalLambdaConfiguration.discard),
                event: event, invocations: options.invocations, coldStarts: options.coldStarts))
    } else {
        results.append(
            try measure(
                name: "swift-lambda-kit (echo, release)",
                configuration: LocalLambdaConfiguration(
                    command: [options.echo], functionName: "echo", functionOutput: LocalLambdaConfiguration.discard),
                event: event, invocations: options.invocations, coldStarts: options.coldStarts))
    }
    if let cLoop = options.cLoop {
        results.append(
            try measure(
                name: "C loop over the minimal libcurl (\(URL(fileURLWithPath: cLoop).lastPathComponent))",
                configuration: LocalLambdaConfiguration(
                    command: [cLoop], functionName: "c-loop", functionOutput: LocalLambdaConfiguration.discard),
                event: event, invocations: options.invocations, coldStarts: options.coldStarts))
    }

    if !options.skipPython {
        let taskRoot = FileManager.default.temporaryDirectory.appendingPathComponent("ric-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: taskRoot, withIntermediateDirectories: true)
        try "def handler(event, context):\n    return event\n".write(
            to: taskRoot.appendingPathComponent("handler.py"), atomically: true, encoding: .utf8)
        results.append(
            try measure(
                name: "awslambdaric (Python)",
                configuration: LocalLambdaConfiguration(
                    command: [options.python, "-m", "awslambdaric", "handler.handler"], functionName: "python-ric",
                    handler: "handler.handler", workingDirectory: taskRoot.path,
                    functionOutput: LocalLambdaConfiguration.discard),
                event: event, invocations: options.pythonInvocations ?? max(1000, options.invocations / 4),
                coldStarts: options.coldStarts))
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}

print(
    "| runtime | warm invocations/s | latency p50 | latency p99 | bootstrap CPU per invocation | cold start p50 | cold start p90 | idle peak RSS | peak RSS after load |"
)
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for figures in results {
    print(
        "| \(figures.name) | \(String(format: "%.0f", figures.invocationsPerSecond)) | \(milliseconds(figures.latencyP50)) | \(milliseconds(figures.latencyP99)) | \(String(format: "%.1f µs", figures.cpuPerInvocation / .microseconds(1))) | \(milliseconds(figures.coldStartP50)) | \(milliseconds(figures.coldStartP90)) | \(String(format: "%.1f MB", Double(figures.idlePeakRSSKB) / 1024)) | \(String(format: "%.1f MB", Double(figures.peakRSSAfterLoadKB) / 1024)) |"
    )
}
if let floor = results.first(where: { $0.name.hasPrefix("C loop") }) {
    let swift = results[0]
    print("")
    print(
        String(
            format:
                "Against the C loop: %.2f× its warm throughput, cold start %+.2f ms, peak RSS after load %.1f MB against %.1f MB.",
            swift.invocationsPerSecond / floor.invocationsPerSecond,
            (swift.coldStartP50 - floor.coldStartP50) / .milliseconds(1),
            Double(swift.peakRSSAfterLoadKB) / 1024, Double(floor.peakRSSAfterLoadKB) / 1024))
}
if let python = results.first(where: { $0.name.hasPrefix("awslambdaric") }) {
    let swift = results[0]
    print("")
    print(
        String(
            format:
                "Ratios (swift-lambda-kit vs awslambdaric): %.1f× the warm throughput, %.1f× less CPU per invocation, %.1f× faster cold start, %.2f× the idle memory.",
            swift.invocationsPerSecond / python.invocationsPerSecond,
            python.cpuPerInvocation / swift.cpuPerInvocation,
            python.coldStartP50 / swift.coldStartP50,
            Double(swift.idlePeakRSSKB) / Double(python.idlePeakRSSKB)))
}
