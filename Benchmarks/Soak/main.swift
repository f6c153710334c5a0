// Soak: does a warm bootstrap, or the tool serving it, grow over a long run? Echo is invoked
// N times on one warm process through the Runtime API emulator (in this process), then M
// times through `lambda-local start-api` (a process of its own, driven over HTTP). Every
// `--every` invocations the resident set (VmRSS) and open file descriptors of the bootstrap
// and of the serving process are sampled. After the first sample (the warm-up), RSS must stay
// within `--rss-slack-kb` of it and descriptors constant; the exit status says whether they did.
//
//   swift build -c release --product echo --product lambda-local --product Soak
//   .build/release/Soak [--invocations 200000] [--api-invocations 50000] [--every 10000] [--json]

import Foundation
import LambdaEmulator
import LambdaHTTP

struct Options {
    var directory = ".build/release"
    var invocations = 200_000
    var apiInvocations = 50_000
    var every = 10_000
    var rssSlackKB = 1024
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--build-path": directory = iterator.next() ?? directory
            case "--invocations": invocations = iterator.next().flatMap(Int.init) ?? invocations
            case "--api-invocations": apiInvocations = iterator.next().flatMap(Int.init) ?? apiInvocations
            case "--every": every = iterator.next().flatMap(Int.init) ?? every
            case "--rss-slack-kb": rssSlackKB = iterator.next().flatMap(Int.init) ?? rssSlackKB
            case "--json": json = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

/// One process's footprint at a point of the run.
struct Sample: Codable {
    var invocations: Int
    var rssKB: Int
    var fds: Int
}

func residentKB(_ pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
}

func openDescriptors(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}

/// The children of `parent` named `name`, from /proc.
func children(of parent: Int32, named name: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return false }
        let comm = stat[stat.index(after: open)..<close]
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return comm == name && fields.count > 1 && Int32(fields[1]) == parent
    }
}

struct Verdict: Codable {
    var name: String
    var samples: [Sample]
    var rssGrowthKB: Int
    var fdGrowth: Int
    var passed: Bool
}

func verdict(_ name: String, _ samples: [Sample], slack: Int) -> Verdict {
    let warm = samples.first!
    let growth = samples.map(\.rssKB).max()! - warm.rssKB
    let fdGrowth = samples.map(\.fds).max()! - warm.fds
    return Verdict(
        name: name, samples: samples, rssGrowthKB: growth, fdGrowth: fdGrowth, passed: growth <= slack && fdGrowth == 0)
}

let options = Options(CommandLine.arguments)
let event = Array(
    try JSONSerialization.data(withJSONObject: ["id": "evt-1", "pad": String(repeating: "a", count: 990)]))
var verdicts: [Verdict] = []

// 1. The emulator in this process, echo warm.
do {
    let lambda = try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: ["\(options.directory)/echo"], functionName: "echo", timeout: .seconds(10),
            functionOutput: LocalLambdaConfiguration.discard))
    defer { lambda.shutdown() }
    guard case .ready = lambda.start() else { fatalError("echo did not start") }
    let pid = children(of: getpid(), named: "echo").first!
    var bootstrap: [Sample] = []
    var emulator: [Sample] = []
    for done in 1...options.invocations {
        let report = lambda.invoke(event)
        precondition(report.isSuccess, "invocation \(done): \(report.result)")
        if done % options.every == 0 {
            bootstrap.append(Sample(invocations: done, rssKB: residentKB(pid), fds: openDescriptors(pid)))
            emulator.append(Sample(invocations: done, rssKB: residentKB(getpid()), fds: openDescriptors(getpid())))
        }
    }
    verdicts.append(verdict("echo bootstrap, via the emulator", bootstrap, slack: options.rssSlackKB))
    verdicts.append(verdict("emulator (this process)", emulator, slack: options.rssSlackKB))
}

// 2. lambda-local start-api, over HTTP.
do {
    let tool = Process()
    tool.executableURL = URL(fileURLWithPath: "\(options.directory)/lambda-local")
    tool.arguments = ["start-api", "echo", "--port", "0", "--build-path", options.directory]
    let output = Pipe()
    tool.standardError = output
    tool.standardOutput = FileHandle.nullDevice
    try tool.run()
    defer {
        tool.interrupt()
        tool.waitUntilExit()
    }
    // Its first line names the URL.
    var banner = ""
    while !banner.contains("\n") {
        let data = output.fileHandleForReading.availableData
        guard !data.isEmpty else { fatalError("start-api ended: \(banner)") }
        banner += String(decoding: data, as: UTF8.self)
    }
    // Later lines (one per request) are drained so the pipe never fills.
    Thread { while !output.fileHandleForReading.availableData.isEmpty {} }.start()
    guard let range = banner.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
        fatalError("no URL in: \(banner)")
    }
    let url = String(banner[range]) + "/soak"
    let client = HTTPClient()
    var served: [Sample] = []
    var bootstrap: [Sample] = []
    var bootstrapPID: Int32?
    for done in 1...options.apiInvocations {
        let response = try client.execute(
            HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"], body: event))
        precondition(response.status == 200, "request \(done): \(response.status)")
        if done % options.every == 0 {
            let toolPID = tool.processIdentifier
            bootstrapPID = bootstrapPID ?? children(of: toolPID, named: "echo").first
            served.append(Sample(invocations: done, rssKB: residentKB(toolPID), fds: openDescriptors(toolPID)))
            if let pid = bootstrapPID {
                bootstrap.append(Sample(invocations: done, rssKB: residentKB(pid), fds: openDescriptors(pid)))
            }
        }
    }
    verdicts.append(verdict("lambda-local start-api", served, slack: options.rssSlackKB))
    verdicts.append(verdict("echo bootstrap, via start-api", bootstrap, slack: options.rssSlackKB))
}

if options.json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(verdicts), as: UTF8.self))
} else {
    for verdict in verdicts {
        let descriptors = "\(verdict.fdGrowth >= 0 ? "+" : "")\(verdict.fdGrowth)"
        print(
            "\(verdict.name): RSS growth after warm-up \(verdict.rssGrowthKB) KB, descriptors \(descriptors)"
                + " — \(verdict.passed ? "ok" : "GREW")")
        print("  invocations: " + verdict.samples.map { String($0.invocations) }.joined(separator: " "))
        print("  RSS (KB):    " + verdict.samples.map { String($0.rssKB) }.joined(separator: " "))
        print("  fds:         " + verdict.samples.map { String($0.fds) }.joined(separator: " "))
    }
}
exit(verdicts.allSatisfy(\.passed) ? 0 : 1)
