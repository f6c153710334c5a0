import AWSCore
import LambdaEmulator
import Synchronization

/// Faults beyond the functions' own AWS calls (those are `FaultPlan`'s): execution
/// environments that die mid-invocation, and Lambda's pollers losing their long polls. The
/// system must still store each event once: what a killed invocation did is redone when its
/// messages come back, and what a lost ReceiveMessage took comes back after the queue's
/// visibility timeout, with its receive count one higher.
public struct ChaosPlan: Sendable, Equatable {
    /// Every this often, one function process that is handling an invocation, at random, is
    /// killed with SIGKILL. Nil: none is.
    public var killEvery: Duration?
    /// Faults for the event source mappings' SQS calls (ReceiveMessage, DeleteMessageBatch),
    /// through a fault proxy of their own: `dropAfterForwarding` is a long poll that moto
    /// answered and whose connection was then cut.
    public var pollerFaults: FaultPlan?
    /// Which process is killed: the same seed, the same choices, in order.
    public var seed: UInt64

    public init(killEvery: Duration? = nil, pollerFaults: FaultPlan? = nil, seed: UInt64 = 1) {
        self.killEvery = killEvery
        self.pollerFaults = pollerFaults
        self.seed = seed
    }
}

extension ChaosPlan {
    /// Reads `kill=1.5,poll-drop=0.05,poll-lost=0.02,seed=7`: a kill every 1.5 s, 5% of the
    /// pollers' calls answered by moto and then cut, 2% cut before they reach it.
    public init(parsing text: String) throws(FaultPlanError) {
        self.init()
        var poller = FaultPlan()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let number = Double(pair[1]), number >= 0 else {
                throw FaultPlanError(text: text, reason: "'\(part)' is not name=number")
            }
            switch pair[0] {
            case "kill":
                guard number > 0 else { throw FaultPlanError(text: text, reason: "kill takes seconds above 0") }
                killEvery = .milliseconds(Int(number * 1000))
            case "poll-drop", "poll-lost":
                guard number <= 1 else {
                    throw FaultPlanError(text: text, reason: "\(pair[0]) must be a share up to 1")
                }
                if pair[0] == "poll-drop" {
                    poller.dropAfterForwarding = number
                } else {
                    poller.dropBeforeForwarding = number
                }
            case "seed":
                guard let seed = UInt64(pair[1]) else {
                    throw FaultPlanError(text: text, reason: "seed must be a whole number")
                }
                self.seed = seed
                poller.seed = seed
            default:
                throw FaultPlanError(
                    text: text, reason: "unknown chaos '\(pair[0])' (kill, poll-drop, poll-lost, seed)")
            }
        }
        guard poller.total <= 1 else {
            throw FaultPlanError(text: text, reason: "the poll shares add up to more than 1")
        }
        if poller.total > 0 { pollerFaults = poller }
    }
}

/// Kills a busy function process now and then, per `ChaosPlan.killEvery`.
final class ProcessKiller: Sendable {
    private let task: Task<Void, Never>
    private let ledger: Ledger

    final class Ledger: Sendable {
        let kills = Mutex<[String: Int]>([:])
    }

    /// - Parameter lambdas: every function process, with its function's name.
    init(lambdas: [(function: String, lambda: LocalLambda)], every interval: Duration, seed: UInt64) {
        let ledger = Ledger()
        self.ledger = ledger
        task = Task.detached {
            var random = SplitMix64(seed: seed)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !lambdas.isEmpty, !Task.isCancelled else { continue }
                // From a random place, the first that is invoking: idle ones have nothing to lose.
                let start = Int(random.next() % UInt64(lambdas.count))
                for offset in 0..<lambdas.count {
                    let (function, lambda) = lambdas[(start + offset) % lambdas.count]
                    if lambda.killIfInvoking() {
                        ledger.kills.withLock { $0[function, default: 0] += 1 }
                        break
                    }
                }
            }
        }
    }

    /// Kills so far, by function name.
    var kills: [String: Int] { ledger.kills.withLock { $0 } }

    func stop() { task.cancel() }
}

/// What the chaos did, for a test to check that it happened and for a person to read.
public struct ChaosCounts: Sendable, CustomStringConvertible {
    public var kills: [String: Int]
    public var poller: FaultCounts?

    public var totalKills: Int { kills.values.reduce(0, +) }

    public var description: String {
        let killed = kills.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "killed \(totalKills) processes mid-invocation (\(killed.isEmpty ? "none" : killed))"
            + (poller.map { "; pollers' SQS calls: \($0)" } ?? "")
    }
}
