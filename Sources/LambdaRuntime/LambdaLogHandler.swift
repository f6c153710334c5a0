import JSONCoding
import Logging
import Synchronization
import UTCTime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lambda's log formats, from `AWS_LAMBDA_LOG_FORMAT`.
public enum LambdaLogFormat: String, Sendable {
    case text = "Text"
    case json = "JSON"

    public init(environment: [String: String]) {
        self = environment["AWS_LAMBDA_LOG_FORMAT"]?.uppercased() == "JSON" ? .json : .text
    }
}

extension Logger.Level {
    /// From `AWS_LAMBDA_LOG_LEVEL`'s vocabulary: TRACE, DEBUG, INFO, WARN, ERROR, FATAL.
    public init?(lambdaName: String) {
        switch lambdaName.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warning
        case "ERROR": self = .error
        case "FATAL", "CRITICAL": self = .critical
        default: return nil
        }
    }

    /// The name Lambda's own runtimes print for this level.
    public var lambdaName: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }
}

/// Where finished log lines go. Lambda collects a function's stdout and stderr alike.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    public func write(_ line: String) { writeLine(line) }

    /// One `write(2)` a line, unbuffered, so that lines from concurrent tasks never
    /// interleave and nothing is lost if the process dies right after.
    public static let standardError = LogSink { line in
        var line = line
        line.append("\n")
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// A swift-log handler that prints the lines Lambda's own runtimes print: JSON objects
/// (`timestamp`, `level`, `message`, `requestId`, `traceId`, `functionName`, then
/// metadata) or tab-separated text.
public struct LambdaLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var format: LambdaLogFormat
    public var functionName: String?
    public var requestID: String?
    public var traceID: String?
    /// Written as `tenantId` in JSON lines, as Lambda writes it in its own.
    public var tenantID: String?
    public var sink: LogSink

    public init(
        format: LambdaLogFormat = .text,
        level: Logger.Level = .info,
        functionName: String? = nil,
        sink: LogSink = .standardError
    ) {
        self.format = format
        self.logLevel = level
        self.functionName = functionName
        self.sink = sink
    }

    /// Configured as Lambda configures a function: `AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`.
    public init(environment: [String: String], sink: LogSink = .standardError) {
        self.init(
            format: LambdaLogFormat(environment: environment),
            level: environment["AWS_LAMBDA_LOG_LEVEL"].flatMap(Logger.Level.init(lambdaName:)) ?? .info,
            functionName: environment["AWS_LAMBDA_FUNCTION_NAME"],
            sink: sink)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        switch format {
        case .json: sink.write(jsonLine(level: event.level, message: event.message.description, metadata: merged))
        case .text: sink.write(textLine(level: event.level, message: event.message.description, metadata: merged))
        }
    }

    private func jsonLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"timestamp\":\"\(Self.timestamp())\",\"level\":\"\(level.lambdaName)\",\"message\":"
        JSONText.appendString(message, to: &line)
        if let requestID {
            line += ",\"requestId\":"
            JSONText.appendString(requestID, to: &line)
        }
        if let traceID {
            line += ",\"traceId\":"
            JSONText.appendString(traceID, to: &line)
        }
        if let tenantID {
            line += ",\"tenantId\":"
            JSONText.appendString(tenantID, to: &line)
        }
        if let functionName {
            line += ",\"functionName\":"
            JSONText.appendString(functionName, to: &line)
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            MetadataJSON.appendMetadata(value, to: &line)
        }
        line += "}"
        return line
    }

    private func textLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(Self.timestamp())\t\(requestID ?? "-")\t\(level.lambdaName)\t\(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        return line
    }

    /// ISO 8601 in UTC with milliseconds.
    static func timestamp() -> String {
        UTCTime.now().iso8601(fractionalDigits: 3)
    }
}

/// Metadata as JSON, written directly; logging must not pay for an encoder per line.
enum MetadataJSON {
    static func appendMetadata(_ value: Logger.MetadataValue, to output: inout String) {
        switch value {
        case .string(let string): JSONText.appendString(string, to: &output)
        case .stringConvertible(let convertible): JSONText.appendString(convertible.description, to: &output)
        case .array(let values):
            output.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { output.append(",") }
                appendMetadata(element, to: &output)
            }
            output.append("]")
        case .dictionary(let dictionary):
            output.append("{")
            for (index, (key, element)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(",") }
                JSONText.appendString(key, to: &output)
                output.append(":")
                appendMetadata(element, to: &output)
            }
            output.append("}")
        }
    }
}
