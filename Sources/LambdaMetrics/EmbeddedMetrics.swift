import JSONCoding
import LambdaRuntime
import Synchronization
import UTCTime

/// CloudWatch's units, as EMF names them.
public enum MetricUnit: String, Sendable {
    case count = "Count"
    case milliseconds = "Milliseconds"
    case seconds = "Seconds"
    case bytes = "Bytes"
    case percent = "Percent"
    case none = "None"
}

/// One metric's total for an invocation.
public struct MetricValue: Sendable, Equatable {
    public var name: String
    public var unit: MetricUnit
    public var value: Double

    public init(name: String, unit: MetricUnit, value: Double) {
        self.name = name
        self.unit = unit
        self.value = value
    }
}

/// Where a function's metrics go, as CloudWatch Embedded Metric Format: log lines that
/// CloudWatch Logs turns into metrics, with no API call and no agent (the format Powertools
/// writes). Every line is one JSON object: `_aws` names the namespace, the dimension set and
/// each metric's unit; the dimension values and metric values are top-level members.
public struct EmbeddedMetrics: Sendable {
    /// CloudWatch takes at most 100 metrics in one EMF object; more go on further lines.
    public static let maximumMetricsPerLine = 100

    public var namespace: String
    /// One dimension set, in this order: each of its metrics is recorded per these values.
    public var dimensions: [(name: String, value: String)]
    public var sink: LogSink

    public init(namespace: String, dimensions: [(name: String, value: String)], sink: LogSink = .standardError) {
        self.namespace = namespace
        self.dimensions = dimensions
        self.sink = sink
    }

    /// `METRICS_NAMESPACE` (the template sets it; `LambdaKit` otherwise), with the function's
    /// name as the `Function` dimension.
    public init(environment: [String: String], sink: LogSink = .standardError) {
        self.init(
            namespace: environment["METRICS_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "LambdaKit",
            dimensions: [("Function", environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "local")], sink: sink)
    }

    /// The EMF lines for `metrics`, at most ``maximumMetricsPerLine`` each; none for none.
    public func lines(for metrics: [MetricValue], at timestamp: UTCTime) -> [String] {
        stride(from: 0, to: metrics.count, by: Self.maximumMetricsPerLine).map { start in
            let chunk = metrics[start..<min(start + Self.maximumMetricsPerLine, metrics.count)]
            var line = #"{"_aws":{"Timestamp":\#(timestamp.millisecondsSince1970),"CloudWatchMetrics":[{"Namespace":"#
            JSONText.appendString(namespace, to: &line)
            line += #","Dimensions":[["#
            for (index, dimension) in dimensions.enumerated() {
                if index > 0 { line += "," }
                JSONText.appendString(dimension.name, to: &line)
            }
            line += #"]],"Metrics":["#
            for (index, metric) in chunk.enumerated() {
                if index > 0 { line += "," }
                line += #"{"Name":"#
                JSONText.appendString(metric.name, to: &line)
                line += #","Unit":"\#(metric.unit.rawValue)"}"#
            }
            line += "]}]}"
            for dimension in dimensions {
                line += ","
                JSONText.appendString(dimension.name, to: &line)
                line += ":"
                JSONText.appendString(dimension.value, to: &line)
            }
            for metric in chunk {
                line += ","
                JSONText.appendString(metric.name, to: &line)
                // Whole counts as integers: `3`, not `3.0`. A non-finite value has no JSON form.
                let value = metric.value.isFinite ? metric.value : 0
                line += ":" + (value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value))
            }
            line += "}"
            return line
        }
    }

    /// Writes the lines for `metrics`.
    public func flush(_ metrics: [MetricValue], at timestamp: UTCTime = .now()) {
        for line in lines(for: metrics, at: timestamp) { sink.write(line) }
    }
}

/// The metrics of one invocation: what the handler adds, summed by name, in the order first
/// added. Concurrent tasks of the invocation may add to it.
public final class InvocationMetrics: Sendable {
    private let values = Mutex<[MetricValue]>([])

    public init() {}

    public func add(_ name: String, _ value: Double = 1, unit: MetricUnit = .count) {
        values.withLock { values in
            if let index = values.firstIndex(where: { $0.name == name }) {
                values[index].value += value
            } else {
                values.append(MetricValue(name: name, unit: unit, value: value))
            }
        }
    }

    public var recorded: [MetricValue] { values.withLock { $0 } }
}

/// The current invocation's metrics, for code that does not hold the handler: a task-local,
/// so concurrent invocations (Lambda Managed Instances) never mix their counts.
public enum Metrics {
    @TaskLocal public static var current: InvocationMetrics?

    /// Adds to the current invocation's metrics; outside a ``MetricsHandler`` it does nothing.
    public static func add(_ name: String, _ value: Double = 1, unit: MetricUnit = .count) {
        current?.add(name, value, unit: unit)
    }
}

/// A handler whose invocations each write their metrics as one EMF flush when they end
/// (returned or thrown), with `ColdStart` = 1 on the first invocation of the process.
public struct MetricsHandler<Handler: LambdaHandler>: LambdaHandler {
    public let handler: Handler
    public let metrics: EmbeddedMetrics
    private let coldStart = ColdStart()

    final class ColdStart: Sendable {
        private let pending = Atomic<Bool>(true)
        func take() -> Bool { pending.exchange(false, ordering: .relaxed) }
    }

    public init(_ handler: Handler, metrics: EmbeddedMetrics) {
        self.handler = handler
        self.metrics = metrics
    }

    public func handle(_ event: Handler.Event, context: LambdaContext) async throws -> Handler.Output {
        let recorded = InvocationMetrics()
        if coldStart.take() { recorded.add("ColdStart") }
        do {
            let output = try await Metrics.$current.withValue(recorded) {
                try await handler.handle(event, context: context)
            }
            metrics.flush(recorded.recorded)
            return output
        } catch {
            metrics.flush(recorded.recorded)
            throw error
        }
    }
}
