import AWSEventBridge
import CloudEvents
import Foundation
import IdempotencyTesting
import LambdaEvents
import LambdaTesting
import RollupFunction
import Synchronization
import Testing
import UTCTime

/// Counters that change under the rollup's feet, as process keeps counting.
final class SettableCounters: MinuteCounters {
    let state = Mutex<[String: [String: Int]]>([:])
    func set(_ minute: String, _ counts: [String: Int]) { state.withLock { $0[minute] = counts } }
    func counts(minute: String, deadline: ContinuousClock.Instant?) async throws -> [String: Int] {
        state.withLock { $0[minute] ?? [:] }
    }
}

@Suite struct RollupTests {
    static func scheduled(_ time: String, id: String = UUID().uuidString) -> String {
        #"{"version":"0","id":"\#(id)","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"\#(time)","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/rollup"],"detail":{}}"#
    }

    @Test func rollsUpThePreviousMinuteOnceAndPutsItsSummary() async throws {
        let counters = SettableCounters()
        counters.set("2026-12-05T12:00", ["order.created": 7, "payment.alert": 2])
        let store = InMemoryIdempotencyStore()
        let bus = RecordingEventBridge()
        let handler = RollupHandler(
            counters: counters, store: store, bus: EventBridgeSummaryBus(client: bus, busName: "bus"),
            eventsTable: "events")

        let batch = SQSEvent.make(bodies: [Self.scheduled("2026-12-05T12:01:00Z")])
        #expect(try await invoke(handler, batch) == [])
        let commit = try #require(store.commits.first)
        #expect(commit.key == "2026-12-05T12:00")
        let updates = commit.effects.compactMap(\.update)
        #expect(
            updates.map(\.key) == [
                ["pk": .s("HOURLY#order.created"), "sk": .s("2026-12-05T12")],
                ["pk": .s("HOURLY#payment.alert"), "sk": .s("2026-12-05T12")],
            ])
        #expect(updates.map { $0.expressionAttributeValues?[":n"] } == [.n("7"), .n("2")])

        // Redelivered after more events were counted: nothing added, the first summary again.
        counters.set("2026-12-05T12:00", ["order.created": 9, "payment.alert": 2])
        #expect(try await invoke(handler, batch) == [])
        #expect(store.commits.count == 1)
        let entries = bus.entries
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0.detail == entries[0].detail && $0.eventBusName == "bus" })
        #expect(entries[0].source == RollupHandler.summarySource && entries[0].detailType == RollupHandler.summaryType)
        let summary = try CloudEvent(validating: JSONValue(parsing: Array((entries[0].detail ?? "").utf8)))
        #expect(summary.id == "rollup-2026-12-05T12:00")
        #expect(summary.data?["counts"] == .object(["order.created": .integer(7), "payment.alert": .integer(2)]))
        #expect(summary.data?["total"] == .integer(9))
    }

    @Test(arguments: [
        (#"{"specversion":"1.0","id":"x","source":"s","type":"t"}"#, "a CloudEvent"),
        (
            #"{"version":"0","id":"1","detail-type":"Order","source":"shop","account":"1","time":"2026-12-05T12:01:00Z","region":"r","resources":[],"detail":{}}"#,
            "another source"
        ),
        ("not json", "not JSON"),
    ])
    func anythingButAScheduledEventFailsItsMessage(body: String, what: String) async throws {
        let store = InMemoryIdempotencyStore()
        let handler = RollupHandler(
            counters: SettableCounters(), store: store,
            bus: EventBridgeSummaryBus(client: RecordingEventBridge(), busName: "bus"), eventsTable: "events")
        let batch = SQSEvent.make(bodies: [body, Self.scheduled("2026-12-05T12:01:30Z")])
        #expect(try await invoke(handler, batch) == [batch.records[0].messageID], "\(what)")
        #expect(store.commits.map(\.key) == ["2026-12-05T12:00"])
    }

    @Test func aRefusedSummaryFailsTheMessageForRedelivery() async throws {
        let store = InMemoryIdempotencyStore()
        let handler = RollupHandler(
            counters: SettableCounters(), store: store,
            bus: EventBridgeSummaryBus(client: RecordingEventBridge(rejecting: true), busName: "bus"),
            eventsTable: "events")
        let batch = SQSEvent.make(bodies: [Self.scheduled("2026-12-05T00:00:00Z")])
        #expect(try await invoke(handler, batch) == [batch.records[0].messageID])
        #expect(store.commits.map(\.key) == ["2026-12-04T23:59"], "the minute before midnight")
    }

    @Test func theMinuteBeforeTheSchedulesTime() {
        #expect(RollupHandler.minuteBefore(UTCTime(iso8601: "2026-12-05T12:01:00Z")!) == "2026-12-05T12:00")
        #expect(RollupHandler.minuteBefore(UTCTime(iso8601: "2026-12-05T12:01:59.999Z")!) == "2026-12-05T12:00")
        #expect(RollupHandler.minuteBefore(UTCTime(iso8601: "2027-01-01T00:00:00Z")!) == "2026-12-31T23:59")
    }
}
