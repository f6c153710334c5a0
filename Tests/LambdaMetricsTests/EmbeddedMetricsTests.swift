import Foundation
import LambdaMetrics
import LambdaRuntime
import LambdaTesting
import Synchronization
import Testing
import UTCTime

@Suite struct EmbeddedMetricsTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
        var objects: [[String: Any]] {
            lines.withLock { $0 }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    @Test func aLineIsCloudWatchEMF() throws {
        let metrics = EmbeddedMetrics(
            namespace: "Shop \"orders\"", dimensions: [("Function", "process"), ("Stage", "dev")])
        let lines = metrics.lines(
            for: [
                MetricValue(name: "Processed", unit: .count, value: 3),
                MetricValue(name: "Latency", unit: .milliseconds, value: 12.5),
            ],
            at: UTCTime(millisecondsSince1970: 1_790_000_000_123))
        try #require(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let aws = try #require(object["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_790_000_000_123)
        let directives = try #require(aws["CloudWatchMetrics"] as? [[String: Any]])
        #expect(directives.count == 1)
        #expect(directives[0]["Namespace"] as? String == "Shop \"orders\"")
        #expect(directives[0]["Dimensions"] as? [[String]] == [["Function", "Stage"]])
        #expect(
            directives[0]["Metrics"] as? [[String: String]] == [
                ["Name": "Processed", "Unit": "Count"], ["Name": "Latency", "Unit": "Milliseconds"],
            ])
        #expect(object["Function"] as? String == "process" && object["Stage"] as? String == "dev")
        #expect(object["Processed"] as? Int == 3 && object["Latency"] as? Double == 12.5)
        #expect(lines[0].contains(#""Processed":3"#), "a whole count is written as an integer")
    }

    @Test func atMostOneHundredMetricsPerLine() throws {
        let metrics = EmbeddedMetrics(namespace: "N", dimensions: [("Function", "f")])
        let values = (0..<250).map { MetricValue(name: "m\($0)", unit: .count, value: Double($0)) }
        let lines = metrics.lines(for: values, at: .now())
        #expect(lines.count == 3)
        var seen: [String: Int] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let directive = try #require(
                ((object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first)
            let names = try #require(directive["Metrics"] as? [[String: String]]).compactMap { $0["Name"] }
            #expect(names.count <= 100)
            for name in names { seen[name] = object[name] as? Int }
        }
        #expect(seen.count == 250 && seen["m249"] == 249)
        #expect(metrics.lines(for: [], at: .now()).isEmpty, "no metrics, no line")
    }

    @Test func environmentNamesTheNamespaceAndFunction() {
        let metrics = EmbeddedMetrics(environment: [
            "METRICS_NAMESPACE": "Pipeline", "AWS_LAMBDA_FUNCTION_NAME": "store",
        ])
        #expect(metrics.namespace == "Pipeline")
        #expect(metrics.dimensions.map(\.name) == ["Function"] && metrics.dimensions.map(\.value) == ["store"])
        #expect(EmbeddedMetrics(environment: [:]).namespace == "LambdaKit")
    }

    struct Counting: LambdaHandler {
        func handle(_ event: [String: Int], context: LambdaContext) async throws -> String {
            for (name, count) in event.sorted(by: { $0.key < $1.key }) {
                if name == "throw" { throw InvocationError(type: "Boom", message: "after counting") }
                // From a child task too: the task-local reaches it.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { Metrics.add(name, Double(count)) }
                }
            }
            return "ok"
        }
    }

    @Test func eachInvocationFlushesItsOwnCountsOnceWithColdStartFirst() async throws {
        let lines = Lines()
        let handler = MetricsHandler(
            Counting(), metrics: EmbeddedMetrics(namespace: "N", dimensions: [("Function", "f")], sink: lines.sink))
        let context = LambdaContext.testing()
        _ = try await handler.handle(["Stored": 2, "Duplicates": 1], context: context)
        // Concurrent invocations (Managed Instances) keep their counts apart.
        async let first = handler.handle(["Stored": 5], context: context)
        async let second = handler.handle(["Stored": 7], context: context)
        _ = try await (first, second)
        await #expect(throws: InvocationError.self) {
            try await handler.handle(["Failed": 1, "throw": 0], context: context)
        }

        let objects = lines.objects
        try #require(objects.count == 4)
        #expect(
            objects[0]["ColdStart"] as? Int == 1 && objects[0]["Stored"] as? Int == 2
                && objects[0]["Duplicates"] as? Int == 1)
        #expect(objects.dropFirst().allSatisfy { $0["ColdStart"] == nil })
        #expect(Set(objects[1...2].compactMap { $0["Stored"] as? Int }) == [5, 7])
        #expect(objects[3]["Failed"] as? Int == 1, "a thrown invocation still flushes what it counted")
        #expect(Metrics.current == nil)
        Metrics.add("Outside")  // no invocation: nothing, no crash
    }
}
