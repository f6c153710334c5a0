import AWSCore
import Foundation
import LambdaEvents
import LambdaHTTP
import Synchronization
import TestSupport
import Testing
import UTCTime

@testable import LocalPipeline

/// The whole system on one machine, under faults: 2,000 events published through the local
/// API (a fifth of them twice, 1% poison), the functions' AWS calls going through a fault
/// proxy that spoils 10% of them, the SQS event source mappings running as Lambda's do.
///
/// Poison: an event whose `type` is longer than DynamoDB's 2,048-byte partition-key limit.
/// publish, SNS and EventBridge accept it and store keeps it (its audit key is the event id),
/// but `process` keys its per-type counter by type, so its transaction is refused every time
/// (ValidationException, not retryable): the message goes to the process queue's DLQ after
/// maxReceiveCount receives. So "stored" means a record in the events table, and
/// "dead-lettered" means in the process queue's DLQ: published = stored + dead-lettered.
///
/// The chaos run adds what an execution environment and Lambda's pollers go through: a
/// function process killed with SIGKILL mid-invocation every 1.5 s, and the pollers'
/// ReceiveMessage answers lost after moto handed out the messages (or the call cut before
/// it). Nothing may be lost or doubled: each event stored once or in the DLQ, never both;
/// counters exact; each alert notified once. A good event may itself be dead-lettered there
/// (five unlucky receives in a row), which is what a DLQ is for, and is counted as such.
///
/// Serialized: each run keeps both cores busy for minutes.
@Suite(.serialized) struct PipelineEndToEndTests {
    struct Scenario: Sendable, CustomStringConvertible {
        var name: String
        var eventCount: Int
        var chaos: ChaosPlan?
        var description: String { name }

        static let faults = Scenario(name: "faults", eventCount: 2_000)
        static let chaos = Scenario(
            name: "chaos", eventCount: 1_000,
            chaos: ChaosPlan(
                killEvery: .milliseconds(1_500),
                pollerFaults: FaultPlan(dropAfterForwarding: 0.05, dropBeforeForwarding: 0.02, seed: 20_261_205),
                seed: 20_261_205))
    }

    static let poisonType = "com.example.poison." + String(repeating: "x", count: 2_100)

    struct Event {
        var id: String
        var type: String
        var body: String
        var poison: Bool
        var duplicate: Bool
        var alert: Bool { type.hasSuffix(".alert") || type.hasSuffix(".failed") }
    }

    static func events(count eventCount: Int) -> [Event] {
        let base = UTCTime(secondsSince1970: 1_790_000_000)
        let types = [
            "com.example.order.created", "com.example.order.created", "com.example.order.created",
            "com.example.order.created",
            "com.example.order.created", "com.example.order.created", "com.example.order.shipped",
            "com.example.order.shipped",
            "com.example.payment.alert", "com.example.job.failed",
        ]
        return (0..<eventCount).map { index in
            let poison = index % 100 == 37
            let type = poison ? poisonType : types[index % 10]
            let time = (base + .seconds(index)).iso8601()
            let body =
                #"{"specversion":"1.0","id":"e2e-\#(index)","source":"urn:test:e2e","type":"\#(type)","time":"\#(time)","datacontenttype":"application/json","data":{"n":\#(index)}}"#
            return Event(id: "e2e-\(index)", type: type, body: body, poison: poison, duplicate: index % 5 == 0)
        }
    }

    static var templatePath: String {
        repositoryRoot.appendingPathComponent("functions/template.yaml").path
    }

    @Test(.timeLimit(.minutes(20)))
    func everyGoodEventStoredExactlyOnceAndEveryPoisonDeadLettered() async throws {
        try await run(.faults)
    }

    @Test(.timeLimit(.minutes(20)))
    func exactlyOnceHoldsWhileProcessesAreKilledAndLongPollsCut() async throws {
        try await run(.chaos)
    }

    func run(_ scenario: Scenario) async throws {
        let configuration = try Endpoint.configuration()
        let admin = AWSAdmin(configuration: configuration)
        let stackName = Endpoint.uniqueName("e2e-\(scenario.name)")
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(stackName).log").path
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? log.close() }
        print("pipeline e2e: template \(Self.templatePath), invocation log \(logFile)")

        let runner = try await PipelineRunner.up(
            PipelineOptions(
                templatePath: Self.templatePath, stackName: stackName, buildDirectories: [Products.directory.path],
                faults: .evenly(0.1, seed: 20_261_123), chaos: scenario.chaos, apiPort: 0, concurrency: 2,
                waitTimeSeconds: 1,
                // Failed messages come back after 6 s instead of the template's 180 s, so poison
                // reaches the DLQ (5 receives) in about 30 s. The functions' timeout shrinks with
                // it (30 s → 5 s), keeping the template's proportion: an idempotency claim left by
                // an attempt whose answer was lost expires before the message comes back.
                visibilityTimeoutOverride: 6, functionTimeoutOverride: .seconds(5), users: [Self.publisher],
                log: { line in log.write(Data((line + "\n").utf8)) }, functionOutput: { _ in }),
            configuration: configuration)
        do {
            try await run(runner, admin: admin, scenario: scenario)
        } catch {
            await runner.stop()
            throw error
        }
        await runner.stop()
    }

    static let publisher = (name: "publisher@example.com", password: "Publisher-Pass-1")

    func run(_ runner: PipelineRunner, admin: AWSAdmin, scenario: Scenario) async throws {
        let stack = runner.stack
        let gateway = try #require(runner.gateway("PublishFunction"), "the template has no PublishFunction with an API")
        // The API's JWT authorizer lets only signed-in users publish.
        let token = try await runner.signIn(Self.publisher.name, password: Self.publisher.password)
        let eventsTable = try #require(stack.tables["EventsTable"])
        let auditTable = try #require(stack.tables["AuditTable"])
        let processQueue = try #require(stack.queue(logicalID: "ProcessQueue"))
        let processDLQ = try #require(stack.queue(logicalID: "ProcessDeadLetterQueue"))
        let consumerQueues = ["ProcessQueue", "NotifyQueue", "AuditQueue"].compactMap { stack.queue(logicalID: $0) }
        let notifyDLQ = try #require(stack.queue(logicalID: "NotifyDeadLetterQueue"))
        let auditDLQ = try #require(stack.queue(logicalID: "AuditDeadLetterQueue"))

        // Notifications land in a queue of our own, raw, one message per notification. The
        // notifications topic is FIFO (its deduplication is what makes a Publish whose answer
        // was lost safe to send again), so the subscriber is a FIFO queue too.
        let sinkURL = try await admin.createQueue(
            name: "\(stack.stackName)-notifications.fifo", attributes: ["FifoQueue": "true"])
        let sinkARN = try #require(try await admin.queueAttributes(url: sinkURL, names: ["QueueArn"])["QueueArn"])
        let notificationsTopic = try #require(stack.topics["NotificationsTopic"])
        #expect(notificationsTopic.hasSuffix(".fifo"))
        _ = try await admin.subscribe(
            topicARN: notificationsTopic, protocol: "sqs", endpoint: sinkARN, attributes: ["RawMessageDelivery": "true"]
        )

        let events = Self.events(count: scenario.eventCount)
        let good = events.filter { !$0.poison }
        let poison = events.filter(\.poison)
        let started = Date()

        // Publish, as a careful client would: retry the first request until it is accepted,
        // honouring Retry-After on a 409 (a claim left by an attempt whose answer was lost)
        // by moving on and coming back; send a fifth again (a client retrying after a lost answer).
        let sentAt = Mutex<[String: Date]>([:])
        let refusals = Mutex<[String]>([])
        await blocking {
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                let client = HTTPClient()
                func post(_ event: Event) -> HTTPResponse? {
                    try? client.execute(
                        HTTPRequest(
                            method: "POST", url: gateway.url + "/events",
                            headers: [
                                "Content-Type": "application/cloudevents+json", "Authorization": "Bearer \(token)",
                            ],
                            body: Array(event.body.utf8), timeout: .seconds(60)))
                }
                func sendDuplicate(_ event: Event) {
                    guard event.duplicate else { return }
                    for _ in 0..<40 {
                        let status = post(event)?.status ?? 0
                        // 409: the first request's claim is still held; the event was published already.
                        if status == 202 || status == 409 { return }
                        Thread.sleep(forTimeInterval: 0.1)
                    }
                    refusals.withLock { $0.append("\(event.id): the duplicate was never answered") }
                }
                var deferred: [(event: Event, due: Date)] = []
                /// true when accepted; false when deferred or refused.
                func attempt(_ event: Event) -> Bool {
                    for _ in 0..<40 {
                        let response = post(event)
                        switch response?.status ?? 0 {
                        case 202:
                            sendDuplicate(event)
                            return true
                        case 409:
                            let wait = Double(response?.headers["Retry-After"] ?? "1") ?? 1
                            deferred.append((event, Date().addingTimeInterval(wait + 0.2)))
                            return false
                        default:
                            Thread.sleep(forTimeInterval: 0.1)
                        }
                    }
                    refusals.withLock { $0.append("\(event.id): never accepted") }
                    return false
                }
                for event in events.enumerated().filter({ $0.offset % 4 == worker }).map(\.element) {
                    sentAt.withLock { $0[event.id] = Date() }
                    _ = attempt(event)
                }
                let giveUp = Date().addingTimeInterval(180)
                while !deferred.isEmpty {
                    deferred.sort { $0.due < $1.due }
                    let next = deferred.removeFirst()
                    guard Date() < giveUp else {
                        refusals.withLock {
                            $0.append("\(next.event.id): still in progress after 3 minutes of retries")
                        }
                        continue
                    }
                    let wait = next.due.timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    _ = attempt(next.event)
                }
            }
        }
        let publishedIn = Date().timeIntervalSince(started)
        #expect(refusals.withLock { $0 }.isEmpty, "\(refusals.withLock { $0 }.prefix(10))")

        // Drain: every good event recorded, every poison in the DLQ, nothing left in flight.
        // The DLQ is read by id, not by its depth: under chaos it can hold two copies of one
        // event, and a count would then call the drain done while events are still on their
        // way to store. Listing makes the messages visible again, so it disturbs nothing.
        let queues = DeadLetterQueues(admin: admin)
        func snapshot() async throws -> (stored: Set<String>, dead: Set<String>, inFlight: Int) {
            let items = try await admin.scan(table: eventsTable)
            let stored = Set(
                items.compactMap { item -> String? in
                    guard case .string(let pk)? = item["pk"]?["S"], pk.hasPrefix("EVENT#") else { return nil }
                    return String(pk.dropFirst("EVENT#".count))
                })
            var inFlight = 0
            for queue in consumerQueues { inFlight += try await Self.depth(admin, queue.url) }
            // The DLQ is listed only when its depth could complete the set.
            let depth = try await Self.depth(admin, processDLQ.url)
            guard stored.count + depth >= events.count else { return (stored, [], inFlight) }
            let dead = try await queues.list(processDLQ.url).map { Self.cloudEventID(in: $0.body) }
            return (stored, Set(dead), inFlight)
        }
        let goodIDs = Set(good.map(\.id))
        let allIDs = Set(events.map(\.id))
        // Drained: every event stored or dead-lettered (under chaos a good one may be), nothing
        // left in the consumer queues or in a batch.
        func drained(_ last: (stored: Set<String>, dead: Set<String>, inFlight: Int)) -> Bool {
            let storedEnough = scenario.chaos != nil || last.stored.isSuperset(of: goodIDs)
            return storedEnough && last.stored.union(last.dead).isSuperset(of: allIDs) && last.inFlight == 0
        }
        var last: (stored: Set<String>, dead: Set<String>, inFlight: Int) = ([], [], 0)
        let drainDeadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < drainDeadline {
            last = try await snapshot()
            if drained(last), !runner.isBusy { break }
            try await Task.sleep(for: .seconds(2))
        }
        let drainedIn = Date().timeIntervalSince(started)
        let missing = goodIDs.subtracting(last.stored).sorted()
        try #require(
            drained(last),
            "not drained within 10 minutes: \(missing.count) good events not stored (\(missing.prefix(20))), \(last.dead.count) events in the DLQ for \(poison.count) poison, \(last.inFlight) messages still in the consumer queues; see the invocation log"
        )

        // Every event stored once or dead-lettered, never both, never neither; poison never stored.
        let deadMessages = try await queues.list(processDLQ.url).map { Self.cloudEventID(in: $0.body) }
        let deadIDs = Set(deadMessages)
        let poisonIDs = Set(poison.map(\.id))
        #expect(
            last.stored.isSubset(of: goodIDs),
            "stored but not good: \(last.stored.subtracting(goodIDs).sorted().prefix(10))")
        #expect(
            deadIDs.isSuperset(of: poisonIDs),
            "poison not dead-lettered: \(poisonIDs.subtracting(deadIDs).sorted().prefix(10))")
        // Under chaos, a second copy of a stored event can be dead-lettered: publish put it on the
        // bus again after a lost answer (at least once, as AWS does), and that copy met five
        // failed receives. It changed nothing (process found the event done each time it ran)
        // and a replay of it is a no-op; it is counted apart, never as a loss or a second store.
        let deadOnly = deadIDs.subtracting(last.stored)
        let copiesOfStored = deadIDs.intersection(last.stored)
        #expect(
            last.stored.union(deadOnly) == allIDs,
            "neither stored nor dead-lettered: \(allIDs.subtracting(last.stored).subtracting(deadIDs).sorted().prefix(10))"
        )
        // published = stored + dead-lettered (and not stored), exactly.
        #expect(events.count == last.stored.count + deadOnly.count)
        if scenario.chaos == nil {
            #expect(
                copiesOfStored.isEmpty, "stored and dead-lettered: \(copiesOfStored.sorted().prefix(10))")
            #expect(
                deadIDs == poisonIDs,
                "dead-lettered but not poison: \(deadIDs.subtracting(poisonIDs).sorted().prefix(10))")
        }
        let storedGood = good.filter { last.stored.contains($0.id) }

        // Exactly once: counters = the stored events per type, each counted once.
        let eventItems = try await admin.scan(table: eventsTable)
        var counters: [String: Int] = [:]
        for item in eventItems {
            guard case .string(let pk)? = item["pk"]?["S"], pk.hasPrefix("COUNTER#"),
                case .string(let count)? = item["count"]?["N"]
            else { continue }
            counters[String(pk.dropFirst("COUNTER#".count)), default: 0] += Int(count) ?? -1_000_000
        }
        let expectedCounters = Dictionary(grouping: storedGood, by: \.type).mapValues(\.count)
        #expect(counters == expectedCounters)

        // store keeps every published event once, poison included (or, under chaos, dead-letters
        // it), and saw no conflicting payload.
        let auditItems = try await admin.scan(table: auditTable)
        // rollup's minute summaries are audited too; they are not the test's events.
        let originals = auditItems.compactMap { item -> String? in
            guard case .string(let sk)? = item["sk"]?["S"], sk == "ORIGINAL", case .string(let pk)? = item["pk"]?["S"],
                !pk.hasPrefix("rollup-")
            else { return nil }
            return pk
        }
        let auditDead = Set(try await queues.list(auditDLQ.url).map { Self.cloudEventID(in: $0.body) })
        #expect(originals.count == Set(originals).count, "an event audited twice")
        #expect(
            Set(originals).union(auditDead) == allIDs,
            "not audited: \(allIDs.subtracting(originals).subtracting(auditDead).sorted().prefix(10))")
        #expect(scenario.chaos != nil || auditDead.isEmpty)
        #expect(
            !auditItems.contains {
                if case .string(let sk)? = $0["sk"]?["S"] { sk.hasPrefix("CONFLICT#") } else { false }
            })

        // Each alert produced exactly one notification, though it reached notify twice (SNS and EventBridge).
        var notified: [String: Int] = [:]
        while true {
            let messages =
                try await admin.sqs.receiveMessage(
                    .init(queueURL: sinkURL, maxNumberOfMessages: 10, waitTimeSeconds: 1)
                ).messages ?? []
            if messages.isEmpty { break }
            for message in messages {
                let id =
                    (message.body ?? "").split(separator: "\n").first { $0.hasPrefix("event id: ") }.map {
                        String($0.dropFirst("event id: ".count))
                    } ?? "?"
                notified[id, default: 0] += 1
            }
            _ = try await admin.sqs.deleteMessageBatch(
                .init(
                    queueURL: sinkURL,
                    entries: messages.enumerated().map {
                        .init(id: "m\($0.offset)", receiptHandle: $0.element.receiptHandle ?? "")
                    }))
        }
        let alerts = Set(good.filter(\.alert).map(\.id))
        let notifyDead = Set(try await queues.list(notifyDLQ.url).map { Self.cloudEventID(in: $0.body) })
        #expect(
            Set(notified.keys).union(notifyDead) == alerts,
            "notified for non-alerts: \(Set(notified.keys).subtracting(alerts).sorted().prefix(10)); alerts not notified: \(alerts.subtracting(notified.keys).sorted().prefix(10))"
        )
        #expect(
            notified.values.allSatisfy { $0 == 1 },
            "duplicate notifications: \(notified.filter { $0.value > 1 }.keys.sorted().prefix(10))")

        // An event may stand in a DLQ more than once: SNS (standard) delivers at least once, and
        // when the fault proxy drops the answer to publish's Publish after SNS took it, the retry
        // publishes the event again, as it would on AWS. The consumers' idempotency absorbs a
        // good event's second copy; a poison event's second copy is dead-lettered as a message
        // of its own. So the exact counts are over distinct events.
        let copies = Dictionary(grouping: deadMessages, by: { $0 }).filter { $0.value.count > 1 }.mapValues(\.count)
        if scenario.chaos == nil {
            #expect(
                auditDead.isEmpty && notifyDead.isEmpty,
                "audit DLQ \(auditDead.sorted()), notify DLQ \(notifyDead.sorted())")
        } else {
            let chaos = try #require(runner.chaosCounts)
            #expect(chaos.totalKills > 0 && (chaos.poller?.droppedAfterForwarding ?? 0) > 0, "no chaos: \(chaos)")
            print(
                "pipeline e2e (chaos): \(chaos); good events dead-lettered and not stored: \(deadOnly.subtracting(poisonIDs).count); copies of stored events dead-lettered: process \(copiesOfStored.count), audit \(auditDead.intersection(originals).count), notify \(notifyDead.intersection(notified.keys).count)"
            )
        }

        // Replay without fixing anything: the poison comes back to the DLQ, none lost, none
        // doubled. (Under chaos a good event may be in the DLQ too, and a replay would store it.)
        if scenario.chaos == nil {
            let replay = try await queues.replay(processDLQ.url)
            #expect(replay.moved == deadMessages.count)
            #expect(replay.sourceQueueURL == processQueue.url)
            let backInDLQ = try await eventually(timeout: .seconds(300)) { () async throws -> Bool? in
                let dead = try await Self.depth(admin, processDLQ.url)
                let queued = try await Self.depth(admin, processQueue.url)
                return dead >= deadMessages.count && queued == 0 && !runner.isBusy ? true : nil
            }
            #expect(backInDLQ == true, "the replayed poison did not come back to the DLQ within 5 minutes")
            let deadAgain = try await queues.list(processDLQ.url).map { Self.cloudEventID(in: $0.body) }
            #expect(
                deadAgain.sorted() == deadMessages.sorted(),
                "the DLQ held \(deadMessages.count) messages before the replay and \(deadAgain.count) after")
            let storedAfter = try await snapshot().stored
            #expect(storedAfter == goodIDs)
        }

        let faults = try #require(runner.faultProxy).counts
        #expect(faults.injected > 0)

        // For BENCHMARKS.md: request sent → record stored (process's processedAt), and throughput.
        let sent = sentAt.withLock { $0 }
        var latencies: [Double] = []
        for item in eventItems {
            guard case .string(let pk)? = item["pk"]?["S"], pk.hasPrefix("EVENT#"),
                case .string(let processedAt)? = item["processedAt"]?["S"],
                let stored = try? Date(
                    processedAt, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)),
                let start = sent[String(pk.dropFirst("EVENT#".count))]
            else { continue }
            latencies.append(stored.timeIntervalSince(start) * 1000)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        print(
            String(
                format:
                    "pipeline e2e: %d events (%d requests) published in %.1f s, drained in %.1f s: %.0f events/s; request→stored p50 %.0f ms, p99 %.0f ms; faults: %@; dead-lettered more than once (at-least-once delivery): %@",
                events.count, events.count + events.filter(\.duplicate).count, publishedIn, drainedIn,
                Double(events.count) / drainedIn,
                percentile(0.5), percentile(0.99), faults.description,
                copies.isEmpty ? "none" : copies.keys.sorted().joined(separator: ", ")))
    }

    static func depth(_ admin: AWSAdmin, _ url: String) async throws -> Int {
        let attributes = try await admin.queueAttributes(
            url: url,
            names: [
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ])
        return attributes.values.compactMap { Int($0) }.reduce(0, +)
    }

    /// The CloudEvent id in a dead letter: inside an SNS notification (raw delivery off) or
    /// an EventBridge event's `detail`.
    static func cloudEventID(in body: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        if let message = object?["Message"] as? String,
            let event = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any],
            let id = event["id"] as? String
        {
            return id
        }
        if let detail = object?["detail"] as? [String: Any], let id = detail["id"] as? String { return id }
        return "unreadable: \(body.prefix(80))"
    }
}
