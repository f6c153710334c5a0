import AWSSQS
import Foundation
import LambdaEvents
import Synchronization
import UTCTime

/// A schedule rule of the template, with what it targets.
public struct ScheduledRule: Sendable, Equatable {
    public var logicalID: String
    public var name: String
    public var arn: String
    public var expression: String
    public var schedule: Schedule
    public var targetARNs: [String]
}

/// Fires a stack's schedule rules at their times, as EventBridge does: a `Scheduled Event`
/// from `aws.events` naming the rule in `resources`, its `time` the scheduled minute, sent to
/// each target queue (the template's schedules target queues; other targets are reported).
final class ScheduleRunner: Sendable {
    private let tasks: Mutex<[Task<Void, Never>]> = Mutex([])
    private let stack: ProvisionedStack
    private let sqs: SQSClient
    private let log: @Sendable (String) -> Void
    private let fired = Mutex<[String: Int]>([:])

    init(stack: ProvisionedStack, sqs: SQSClient, log: @escaping @Sendable (String) -> Void) {
        self.stack = stack
        self.sqs = sqs
        self.log = log
    }

    /// Runs every schedule until ``stop()``, counting rates from now.
    func start() {
        let start = UTCTime.now()
        for rule in stack.schedules {
            let task = Task.detached { [self] in
                var last = start
                while !Task.isCancelled {
                    guard let next = rule.schedule.next(after: last, start: start) else { return }
                    let wait = next.nanosecondsSince1970 - UTCTime.now().nanosecondsSince1970
                    if wait > 0 { try? await Task.sleep(for: .nanoseconds(wait)) }
                    if Task.isCancelled { return }
                    await fire(rule, at: next)
                    last = next
                }
            }
            tasks.withLock { $0.append(task) }
        }
    }

    func stop() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    /// Times each rule fired, by logical id.
    var counts: [String: Int] { fired.withLock { $0 } }

    /// The event EventBridge sends for `rule` at `time`.
    func event(for rule: ScheduledRule, at time: UTCTime) -> String {
        let event = ScheduledEvent(
            id: UUID().uuidString.lowercased(), detailType: "Scheduled Event", source: "aws.events",
            account: String(rule.arn.split(separator: ":")[4]),
            time: AWSTimestamp(UTCTime(secondsSince1970: time.wholeSecondsSince1970), format: .iso8601),
            region: String(rule.arn.split(separator: ":")[3]), resources: [rule.arn], detail: ScheduledEventDetail())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(event)) ?? Data(), as: UTF8.self)
    }

    /// Sends `rule`'s scheduled event for `time` to its targets now.
    func fire(_ rule: ScheduledRule, at time: UTCTime) async {
        let body = event(for: rule, at: time)
        for target in rule.targetARNs {
            guard let queue = stack.queue(arn: target) else {
                log("\(timestamp()) \(rule.logicalID): target \(target) is not a queue of the stack; not delivered")
                continue
            }
            do {
                _ = try await sqs.sendMessage(SQS.SendMessageRequest(queueURL: queue.url, messageBody: body))
                log(
                    "\(timestamp()) \(rule.logicalID) (\(rule.expression)) fired for \(time.iso8601()) -> \(queue.name)"
                )
            } catch {
                log("\(timestamp()) \(rule.logicalID): cannot send its scheduled event to \(queue.name): \(error)")
            }
        }
        fired.withLock { $0[rule.logicalID, default: 0] += 1 }
    }
}
