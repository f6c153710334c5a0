import AWSCore
import Foundation
import LambdaEvents
import LambdaHTTP
import TestSupport
import Testing
import UTCTime

@testable import LocalPipeline

/// Seeds 001 and 004 through the whole local system: events published through the API and
/// one put only on the bus are all counted by process (the bus is process's source); the
/// schedule rule, fired for the next minute, makes rollup add that minute's counters to the
/// hourly totals and put a summary on the bus, which store audits like any other event.
/// Fired again, it adds nothing.
@Suite struct ScheduledRollupTests {
    static let minute = "2026-12-05T10:00"

    static func event(_ id: String, _ type: String, second: Int) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"urn:test:rollup","type":"\#(type)","time":"\#(minute):\#(String(format: "%02d", second))Z","datacontenttype":"application/json","data":{"n":\#(second)}}"#
    }

    @Test(.timeLimit(.minutes(5)))
    func aScheduledEventRollsTheMinuteUpOnceAndItsSummaryIsAudited() async throws {
        let configuration = try Endpoint.configuration()
        let admin = AWSAdmin(configuration: configuration)
        let runner = try await PipelineRunner.up(
            PipelineOptions(
                templatePath: repositoryRoot.appendingPathComponent("functions/template.yaml").path,
                stackName: Endpoint.uniqueName("rollup"), buildDirectories: [Products.directory.path], apiPort: 0,
                waitTimeSeconds: 1, users: [("rollup@example.com", "Rollup-Pass-123")], log: { _ in },
                functionOutput: { _ in }),
            configuration: configuration)
        do {
            try await check(runner, admin: admin)
        } catch {
            await runner.stop()
            throw error
        }
        await runner.stop()
    }

    func check(_ runner: PipelineRunner, admin: AWSAdmin) async throws {
        let stack = runner.stack
        let gateway = try #require(runner.gateway("PublishFunction"))
        let token = try await runner.signIn("rollup@example.com", password: "Rollup-Pass-123")
        let eventsTable = try #require(stack.tables["EventsTable"])
        let auditTable = try #require(stack.tables["AuditTable"])
        let bus = try #require(stack.eventBuses["EventBus"])
        let client = HTTPClient()
        for (index, type) in ["com.example.order.created", "com.example.order.created", "com.example.payment.alert"]
            .enumerated()
        {
            let response = try client.execute(
                HTTPRequest(
                    method: "POST", url: gateway.url + "/events",
                    headers: ["Content-Type": "application/cloudevents+json", "Authorization": "Bearer \(token)"],
                    body: Array(Self.event("rollup-\(index)", type, second: index).utf8)))
            #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
        }
        // Only on the bus, as a publisher configured without the topic sends it.
        let busOnly = Self.event("bus-only", "com.example.order.created", second: 30)
        _ = try await admin.json(
            admin.eventsTransport, "PutEvents",
            .object([
                "Entries": .array([
                    .object([
                        "EventBusName": .string(bus), "Source": .string("urn:test:rollup"),
                        "DetailType": .string("com.example.order.created"), "Detail": .string(busOnly),
                    ])
                ])
            ]))

        func items(_ prefix: String) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for item in try await admin.scan(table: eventsTable) {
                guard case .string(let pk)? = item["pk"]?["S"], pk.hasPrefix(prefix),
                    case .string(let sk)? = item["sk"]?["S"],
                    case .string(let count)? = item["count"]?["N"]
                else { continue }
                result["\(pk.dropFirst(prefix.count)) \(sk)"] = Int(count)
            }
            return result
        }
        let counted = try await eventually(timeout: .seconds(60)) { () async throws -> [String: Int]? in
            let counters = try await items("COUNTER#")
            return counters.values.reduce(0, +) == 4 ? counters : nil
        }
        #expect(
            counted == [
                "com.example.order.created \(Self.minute)": 3, "com.example.payment.alert \(Self.minute)": 1,
            ], "the bus-only event is counted by process too")

        let next = try #require(UTCTime(iso8601: "\(Self.minute):00Z")) + .seconds(60)
        try await runner.fireSchedule("RollupSchedule", at: next)
        let hour = String(Self.minute.prefix(13))
        let expectedTotals = ["com.example.order.created \(hour)": 3, "com.example.payment.alert \(hour)": 1]
        let totals = try await eventually(timeout: .seconds(60)) { () async throws -> [String: Int]? in
            let totals = try await items("HOURLY#")
            return totals.isEmpty ? nil : totals
        }
        #expect(totals == expectedTotals)

        // The summary, audited by store as any event on the bus is.
        let summaryID = "rollup-\(Self.minute)"
        let audited = try await eventually(timeout: .seconds(60)) { () async throws -> JSONValue? in
            try await admin.scan(table: auditTable).first {
                $0["pk"]?["S"] == .string(summaryID) && $0["sk"]?["S"] == .string("ORIGINAL")
            }
        }
        let original = try #require(audited?["payload"]?["S"]?.stringValue)
        let summary = try JSONValue(parsing: Array(original.utf8))
        #expect(summary["type"] == .string("com.example.rollup.minute"))
        #expect(summary["data"]?["total"] == .integer(4))
        #expect(
            summary["data"]?["counts"]
                == .object(["com.example.order.created": .integer(3), "com.example.payment.alert": .integer(1)]))

        // Fired again for the same minute: the totals stay, the summary stays one.
        try await runner.fireSchedule("RollupSchedule", at: next + .seconds(20))
        try await Task.sleep(for: .seconds(5))
        _ = try await eventually(timeout: .seconds(60)) { runner.isBusy ? nil : true }
        #expect(try await items("HOURLY#") == expectedTotals)
        let summaries = try await admin.scan(table: auditTable).filter { $0["pk"]?["S"] == .string(summaryID) }
        #expect(summaries.count == 1)
        // The summary was not counted by process: it is not an event of the system's own.
        #expect(try await items("COUNTER#").keys.allSatisfy { !$0.contains("rollup") })
    }
}
