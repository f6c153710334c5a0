// Capacity: the template's whole system run locally at a steady rate of events, then priced at
// 10 million events a day. Nothing in the model is typed in: each function's invocations,
// batch sizes and billed durations come from the run's own invocations, and each AWS request
// from a fault proxy that spoils nothing but counts every call by service and operation (the
// functions' calls, and the event source mappings' polls through a proxy of their own).
//
//   swift build -c release            # the functions and this benchmark, optimized
//   scripts/with-moto.sh .build/release/Capacity [--events N] [--rate R] [--concurrency C] [--json]
//
// --rate R sends R events/s (0: four clients as fast as they go); the run reports whether the
// system kept up: sent, stored, end-to-end latency, and the CPU of moto against the kit's
// processes (MOTO_PID, exported by scripts/with-moto.sh).

import AWSCore
import Foundation
import LambdaEmulator
import LambdaHTTP
import LocalPipeline
import Synchronization

struct Options {
    var events = 600
    var rate = 0.0
    var concurrency = 2
    var directory = ".build/release"
    var template = "functions/template.yaml"
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--events": events = iterator.next().flatMap(Int.init) ?? events
            case "--rate": rate = iterator.next().flatMap(Double.init) ?? rate
            case "--concurrency": concurrency = iterator.next().flatMap(Int.init) ?? concurrency
            case "--build-path": directory = iterator.next() ?? directory
            case "--template": template = iterator.next() ?? template
            case "--json": json = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

/// Public list prices, us-east-1, x86 (AWS pricing pages as of 2026-12; free tiers left out).
enum Prices {
    static let lambdaGBSecond = 0.0000166667
    static let lambdaRequest = 0.20 / 1e6
    static let sqsRequest = 0.40 / 1e6
    static let snsPublish = 0.50 / 1e6
    static let eventBridgeEvent = 1.00 / 1e6
    /// On-demand, after the November 2024 price cut.
    static let dynamoDBWriteUnit = 0.625 / 1e6
    static let dynamoDBReadUnit = 0.125 / 1e6
}

struct FunctionTotals {
    var invocations = 0
    var messages = 0
    var billedMilliseconds = 0
    var memoryMB = 0
    var maxMemoryUsedMB = 0
}

/// CPU seconds of a process so far (`/proc/PID/stat`, utime + stime).
func cpuSeconds(pid: String) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.lastIndex(of: ")")
    else { return nil }
    let fields = stat[stat.index(after: afterName)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func selfCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

let options = Options(CommandLine.arguments)
let configuration: AWSConfiguration
do {
    configuration = try AWSConfiguration(environment: ProcessInfo.processInfo.environment)
    guard configuration.endpointURL != nil else { throw PipelineError.noEndpoint }
} catch {
    FileHandle.standardError.write(Data("capacity: \(error)\n".utf8))
    exit(2)
}

/// What the run saw, shared by the pipeline's callbacks and the clients.
final class Ledger: Sendable {
    let functions = Mutex<[String: FunctionTotals]>([:])
    let sentAt = Mutex<[String: Date]>([:])
    let refused = Atomic<Int>(0)
    let next = Atomic<Int>(0)
}

func run(_ options: Options, configuration: AWSConfiguration) async {
    let ledger = Ledger()
    var pipelineOptions = PipelineOptions(
        templatePath: options.template, stackName: "capacity-\(Int(Date().timeIntervalSince1970))",
        buildDirectories: [options.directory], faults: FaultPlan(), chaos: ChaosPlan(pollerFaults: FaultPlan()),
        apiPort: 0,
        concurrency: options.concurrency, waitTimeSeconds: 20, log: { _ in }, functionOutput: { _ in })
    pipelineOptions.onInvocation = { observation in
        ledger.functions.withLock { totals in
            var entry = totals[observation.functionName] ?? FunctionTotals()
            entry.invocations += 1
            entry.messages += observation.messages
            entry.billedMilliseconds += observation.report.billedDurationMilliseconds
            entry.memoryMB = observation.report.memorySize
            entry.maxMemoryUsedMB = max(entry.maxMemoryUsedMB, observation.report.maxMemoryUsedMB ?? 0)
            totals[observation.functionName] = entry
        }
    }
    let configured = pipelineOptions
    do {
        let runner: PipelineRunner
        do {
            runner = try await PipelineRunner.up(configured, configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("capacity: \(error)\n".utf8))
            exit(1)
        }
        let admin = AWSAdmin(configuration: configuration)
        guard let gateway = runner.gateway("PublishFunction"), let table = runner.stack.tables["EventsTable"] else {
            FileHandle.standardError.write(
                Data("capacity: the template has no PublishFunction API or EventsTable\n".utf8))
            exit(1)
        }
        // The warm-up calls of `up` (each function's init) are not the workload's.
        ledger.functions.withLock { $0 = [:] }
        let motoPID = ProcessInfo.processInfo.environment["MOTO_PID"]
        let motoBefore = motoPID.flatMap { cpuSeconds(pid: $0) }
        let selfBefore = selfCPUSeconds()
        let functionsBefore = runner.functionCPUSeconds
        let callsBefore = runner.faultProxy?.counts.calls ?? [:]
        let pollsBefore = runner.chaosCounts?.poller?.calls ?? [:]

        let types = [
            "com.example.order.created", "com.example.order.created", "com.example.order.created",
            "com.example.order.created", "com.example.order.shipped", "com.example.order.shipped",
            "com.example.order.created", "com.example.order.shipped", "com.example.payment.alert",
            "com.example.job.failed",
        ]
        let started = Date()
        let clients = options.rate > 0 ? max(4, Int(options.rate / 10)) : 4
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    await Task.detached {
                        let client = HTTPClient()
                        while true {
                            let index = ledger.next.add(1, ordering: .relaxed).oldValue
                            guard index < options.events else { return }
                            if options.rate > 0 {
                                let due = started.addingTimeInterval(Double(index) / options.rate)
                                let wait = due.timeIntervalSinceNow
                                if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
                            }
                            let id = "cap-\(index)"
                            let body =
                                #"{"specversion":"1.0","id":"\#(id)","source":"urn:capacity","type":"\#(types[index % types.count])","datacontenttype":"application/json","data":{"n":\#(index),"note":"an order of a few hundred bytes, as the seeds' events are"}}"#
                            ledger.sentAt.withLock { $0[id] = Date() }
                            let status =
                                (try? client.execute(
                                    HTTPRequest(
                                        method: "POST", url: gateway.url + "/events",
                                        headers: ["Content-Type": "application/cloudevents+json"],
                                        body: Array(body.utf8),
                                        timeout: .seconds(60))))?.status ?? 0
                            if status != 202 { ledger.refused.add(1, ordering: .relaxed) }
                        }
                    }.value
                }
            }
        }
        let sendSeconds = Date().timeIntervalSince(started)

        // Drained: every event recorded, nothing in flight.
        var stored: [String: Date] = [:]
        let deadline = Date().addingTimeInterval(900)
        while Date() < deadline {
            stored = [:]
            for item in (try? await admin.scan(table: table)) ?? [] {
                guard case .string(let pk)? = item["pk"]?["S"], pk.hasPrefix("EVENT#cap-"),
                    case .string(let processedAt)? = item["processedAt"]?["S"],
                    let at = try? Date(
                        processedAt, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
                else { continue }
                stored[String(pk.dropFirst("EVENT#".count))] = at
            }
            if stored.count >= options.events - ledger.refused.load(ordering: .relaxed), !runner.isBusy { break }
            try? await Task.sleep(for: .seconds(1))
        }
        // Let store and notify finish the last batches before the counts are read.
        try? await Task.sleep(for: .seconds(3))
        while runner.isBusy { try? await Task.sleep(for: .milliseconds(200)) }

        let lastStored = stored.values.max() ?? Date()
        let elapsed = lastStored.timeIntervalSince(started)
        let sent = ledger.sentAt.withLock { $0 }
        let latencies = stored.compactMap { id, at in sent[id].map { at.timeIntervalSince($0) * 1000 } }.sorted()
        let motoCPU = motoPID.flatMap { cpuSeconds(pid: $0) }.map { $0 - (motoBefore ?? 0) }
        let selfCPU = selfCPUSeconds() - selfBefore
        let functionsCPU = runner.functionCPUSeconds - functionsBefore
        func delta(_ after: [String: Int], _ before: [String: Int]) -> [String: Int] {
            after.reduce(into: [:]) { result, entry in
                let count = entry.value - (before[entry.key] ?? 0)
                if count > 0 { result[entry.key] = count }
            }
        }
        let calls = delta(runner.faultProxy?.counts.calls ?? [:], callsBefore)
        let polls = delta(runner.chaosCounts?.poller?.calls ?? [:], pollsBefore)
        let totals = ledger.functions.withLock { $0 }
        await runner.stop()

        // ---- the model
        let events = Double(stored.count)
        let perDay = 10_000_000.0
        let perMonth = perDay * 30
        let averageRate = perDay / 86_400
        let peakRate = averageRate * 10
        var functionRows: [[String: Any]] = []
        var gbSecondsPerEvent = 0.0
        var invocationsPerEvent = 0.0
        for (name, total) in totals.sorted(by: { $0.key < $1.key }) {
            let perEvent = Double(total.invocations) / events
            let billedSeconds = Double(total.billedMilliseconds) / 1000 / Double(max(total.invocations, 1))
            let gbs = perEvent * billedSeconds * Double(total.memoryMB) / 1024
            gbSecondsPerEvent += gbs
            invocationsPerEvent += perEvent
            functionRows.append([
                "function": name, "invocations": total.invocations,
                "messagesPerInvocation":
                    Double(total.messages) / Double(max(total.invocations, 1)),
                "invocationsPerEvent": perEvent, "billedMsPerInvocation": billedSeconds * 1000,
                "memoryMB": total.memoryMB, "maxMemoryUsedMB": total.maxMemoryUsedMB,
                // Little's law at the peak: arrivals per second times seconds each.
                "peakConcurrency": peakRate * perEvent * billedSeconds,
                "gbSecondsPerEvent": gbs,
            ])
        }
        func perEvent(_ counts: [String: Int], _ match: (String) -> Bool) -> Double {
            Double(counts.filter { match($0.key) }.values.reduce(0, +)) / events
        }
        let sqsPerEvent = perEvent(calls) { $0.hasPrefix("sqs:") } + perEvent(polls) { $0.hasPrefix("sqs:") }
        let snsPerEvent = perEvent(calls) { $0 == "sns:Publish" || $0 == "sns:PublishBatch" }
        let eventBridgePerEvent = perEvent(calls) { $0.hasPrefix("events:PutEvents") }
        // Write units: a single-item write of at most 1 KB is 1; a transaction's items cost 2 each
        // (process's and rollup's transactions write the record and one counter: 2 items).
        let writesPerEvent =
            perEvent(calls) { ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"].contains($0) }
            + 4 * perEvent(calls) { $0 == "dynamodb:TransactWriteItems" }
        let readsPerEvent = perEvent(calls) { ["dynamodb:GetItem", "dynamodb:Query"].contains($0) }
        let monthly: [String: Double] = [
            "lambdaCompute": gbSecondsPerEvent * perMonth * Prices.lambdaGBSecond,
            "lambdaRequests": invocationsPerEvent * perMonth * Prices.lambdaRequest,
            "sqs": sqsPerEvent * perMonth * Prices.sqsRequest,
            "sns": snsPerEvent * perMonth * Prices.snsPublish,
            "eventBridge": eventBridgePerEvent * perMonth * Prices.eventBridgeEvent,
            "dynamoDBWrites": writesPerEvent * perMonth * Prices.dynamoDBWriteUnit,
            "dynamoDBReads": readsPerEvent * perMonth * Prices.dynamoDBReadUnit,
        ]
        let monthlyTotal = monthly.values.reduce(0, +)
        let kitCPU = selfCPU + functionsCPU
        let result: [String: Any] = [
            "run": [
                "events": options.events, "stored": stored.count, "refused": ledger.refused.load(ordering: .relaxed),
                "targetRate": options.rate, "sendSeconds": sendSeconds,
                "sentPerSecond": Double(options.events) / sendSeconds,
                "storedPerSecond": events / elapsed, "latencyP50Ms": percentile(latencies, 0.5),
                "latencyP99Ms": percentile(latencies, 0.99),
                "cpuSeconds": [
                    "moto": motoCPU ?? -1, "lambdaLocal": selfCPU, "bootstraps": functionsCPU,
                ], "motoCPUShare": motoCPU.map { $0 / ($0 + kitCPU) } ?? -1,
            ],
            "functions": functionRows,
            "awsCallsPerEvent": (calls.merging(polls) { $0 + $1 }).mapValues { Double($0) / events },
            "model": [
                "eventsPerDay": perDay, "averagePerSecond": averageRate, "peakPerSecond": peakRate,
                "lambdaInvocationsPerMonth": invocationsPerEvent * perMonth,
                "gbSecondsPerMonth": gbSecondsPerEvent * perMonth,
                "sqsRequestsPerMonth": sqsPerEvent * perMonth, "snsPublishesPerMonth": snsPerEvent * perMonth,
                "eventBridgeEventsPerMonth": eventBridgePerEvent * perMonth,
                "dynamoDBWriteUnitsPerMonth": writesPerEvent * perMonth,
                "dynamoDBReadUnitsPerMonth": readsPerEvent * perMonth,
                "peakDynamoDBWriteUnitsPerSecond": writesPerEvent * peakRate,
                "monthlyUSD": monthly, "monthlyTotalUSD": monthlyTotal,
                "usdPerMillionEvents": monthlyTotal / perMonth * 1e6,
            ],
        ]
        if options.json {
            let data = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            String(
                format:
                    "run: %d events at %@: sent %.1f/s, stored %d (%d refused), %.1f events/s end to end; request->stored p50 %.0f ms, p99 %.0f ms",
                options.events, options.rate > 0 ? "\(options.rate)/s" : "full speed",
                Double(options.events) / sendSeconds,
                stored.count, ledger.refused.load(ordering: .relaxed), events / elapsed, percentile(latencies, 0.5),
                percentile(latencies, 0.99)))
        print(
            String(
                format: "cpu: moto %.1f s, lambda-local %.1f s, bootstraps %.1f s: moto %.0f%% of the whole",
                motoCPU ?? -1, selfCPU, functionsCPU, (motoCPU.map { $0 / ($0 + kitCPU) } ?? -1) * 100))
        print(
            "\n| function | invocations/event | messages/invocation | billed ms/invocation | memory MB (max used) | peak concurrency at 10x | GB-s/event |"
        )
        print("|---|---|---|---|---|---|---|")
        for row in functionRows {
            print(
                String(
                    format: "| %@ | %.3f | %.2f | %.1f | %d (%d) | %.1f | %.6f |", row["function"] as! String,
                    row["invocationsPerEvent"] as! Double, row["messagesPerInvocation"] as! Double,
                    row["billedMsPerInvocation"] as! Double, row["memoryMB"] as! Int, row["maxMemoryUsedMB"] as! Int,
                    row["peakConcurrency"] as! Double, row["gbSecondsPerEvent"] as! Double))
        }
        print("\n| AWS call | per event |")
        print("|---|---|")
        for (call, count) in calls.merging(polls, uniquingKeysWith: +).sorted(by: { $0.key < $1.key }) {
            print(String(format: "| %@ | %.3f |", call, Double(count) / events))
        }
        print(
            String(
                format:
                    "\n10M events/day (%.0f/s average, %.0f/s peak): %.0f invocations, %.0f GB-s, %.0f SQS requests, %.0f SNS publishes, %.0f EventBridge events, %.0f DynamoDB WRU, %.0f RRU a month; %.0f WRU/s at the peak",
                averageRate, peakRate, invocationsPerEvent * perMonth, gbSecondsPerEvent * perMonth,
                sqsPerEvent * perMonth,
                snsPerEvent * perMonth, eventBridgePerEvent * perMonth, writesPerEvent * perMonth,
                readsPerEvent * perMonth,
                writesPerEvent * peakRate))
        print("\n| cost a month (list prices, us-east-1) | USD |")
        print("|---|---|")
        for (item, usd) in monthly.sorted(by: { $0.value > $1.value }) {
            print(String(format: "| %@ | %.2f |", item, usd))
        }
        print(
            String(
                format: "| **total** | **%.2f** (%.2f per million events) |", monthlyTotal,
                monthlyTotal / perMonth * 1e6))
    }
}

await run(options, configuration: configuration)
