// Measures the 2026 platform features where their speed is the point:
//
// - Lambda Managed Instances: warm invocations/s of one process under
//   AWS_LAMBDA_MAX_CONCURRENCY = 1, 4 and 16, each invocation sleeping 10 ms (the faulty
//   fixture's `sleepMs`, standing for an I/O wait). The ideal is 100/s per poller; the
//   figure beside it says how close the runtime gets.
// - Response streaming: time to first byte of the stream example writing 5 chunks 100 ms apart,
//   beside its time to the whole response (what a buffered function's caller waits).
//
//   swift build -c release --product faulty --product stream --product PlatformBenchmark
//   .build/release/PlatformBenchmark [--invocations N] [--json]

import Foundation
import LambdaEmulator

struct Options {
    var directory = ".build/release"
    var invocations = 800
    var streams = 30
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--build-path": directory = iterator.next() ?? directory
            case "--invocations": invocations = iterator.next().flatMap(Int.init) ?? invocations
            case "--streams": streams = iterator.next().flatMap(Int.init) ?? streams
            case "--json": json = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

func percentile(_ values: [Duration], _ p: Double) -> Duration {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func ms(_ duration: Duration) -> Double { duration / .milliseconds(1) }

let options = Options(CommandLine.arguments)

/// Invocations/s of one process polling `concurrency` events at once.
func managedInstances(concurrency: Int) throws -> Double {
    let lambda = try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: ["\(options.directory)/faulty"], functionName: "faulty", timeout: .seconds(30),
            environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "\(concurrency)"],
            functionOutput: LocalLambdaConfiguration.discard))
    defer { lambda.shutdown() }
    guard case .ready = lambda.start() else { fatalError("faulty did not start") }
    let event = Array(#"{"faulty":{"sleepMs":10}}"#.utf8)
    for _ in 0..<20 { _ = lambda.invoke(event) }
    let perThread = options.invocations / concurrency
    let done = DispatchSemaphore(value: 0)
    let started = ContinuousClock.now
    for _ in 0..<concurrency {
        // Threads, not tasks: each invoke blocks until its answer.
        Thread {
            for _ in 0..<perThread {
                let report = lambda.invoke(event)
                precondition(report.isSuccess, "\(report.result)")
            }
            done.signal()
        }.start()
    }
    for _ in 0..<concurrency { done.wait() }
    let elapsed = ContinuousClock.now - started
    return Double(perThread * concurrency) / (elapsed / .seconds(1))
}

/// Time to first byte and to the whole of a 5-chunk stream, p50 and p90.
func streaming() throws -> (ttfb: [Duration], whole: [Duration]) {
    let lambda = try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: ["\(options.directory)/stream"], functionName: "stream", timeout: .seconds(30),
            functionOutput: LocalLambdaConfiguration.discard))
    defer { lambda.shutdown() }
    let event = Array(#"{"chunks":5,"chunkBytes":1024,"intervalMs":100}"#.utf8)
    _ = lambda.invoke(event)
    var ttfb: [Duration] = []
    var whole: [Duration] = []
    for _ in 0..<options.streams {
        let report = lambda.invoke(event)
        precondition(report.isSuccess, "\(report.result)")
        ttfb.append(report.timeToFirstByte ?? report.duration)
        whole.append(report.duration)
    }
    return (ttfb, whole)
}

var results: [String: Any] = [:]
var rows: [String] = []
for concurrency in [1, 4, 16] {
    let rate = try managedInstances(concurrency: concurrency)
    let ideal = 100.0 * Double(concurrency)
    results["invocationsPerSecond_concurrency\(concurrency)"] = (rate * 10).rounded() / 10
    rows.append(
        String(
            format: "| %d | %.1f | %.0f | %.0f%% |", concurrency, rate, ideal, 100 * rate / ideal))
}
let (ttfb, whole) = try streaming()
results["streamTTFBp50Ms"] = ms(percentile(ttfb, 0.5))
results["streamTTFBp90Ms"] = ms(percentile(ttfb, 0.9))
results["streamWholeP50Ms"] = ms(percentile(whole, 0.5))

if options.json {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    print("| AWS_LAMBDA_MAX_CONCURRENCY | invocations/s (10 ms each) | ideal | of ideal |")
    print("|---:|---:|---:|---:|")
    for row in rows { print(row) }
    print("")
    print(
        String(
            format:
                "stream (5 x 1 KB, 100 ms apart), %d invocations: time to first byte p50 %.2f ms, p90 %.2f ms; whole response p50 %.2f ms",
            options.streams, ms(percentile(ttfb, 0.5)), ms(percentile(ttfb, 0.9)), ms(percentile(whole, 0.5))))
}
