// The testing kit may use Foundation (it never ships in a bootstrap); the events and results
// go through the runtime's own coder, so a test sees what the runtime would do.
import Foundation
import JSONCoding
// Tests that import the testing kit get the sample event builders with it.
@_exported import LambdaEventSamples
import LambdaHTTP
import LambdaRuntime
import Logging
import Synchronization

/// Log lines a test captured, in order.
public final class CapturedLogs: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public var lines: [String] { storage.withLock { $0 } }

    public var sink: LogSink {
        LogSink { [self] line in self.storage.withLock { $0.append(line) } }
    }

    /// Each JSON line parsed; lines that are not JSON objects are skipped.
    public var jsonLines: [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

extension LambdaContext {
    /// A context such as Lambda would give, with values a test can choose.
    public static func testing(
        requestID: String = UUID().uuidString.lowercased(),
        timeout: Duration = .seconds(3),
        invokedFunctionARN: String? = nil,
        traceID: String? = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        clientContext: String? = nil,
        cognitoIdentity: String? = nil,
        tenantID: String? = nil,
        function: FunctionConfiguration = FunctionConfiguration(name: "test-function"),
        logFormat: LambdaLogFormat = .json,
        logLevel: Logger.Level = .trace,
        logs: CapturedLogs? = nil
    ) -> LambdaContext {
        var handler = LambdaLogHandler(
            format: logFormat, level: logLevel, functionName: function.name, sink: logs?.sink ?? .standardError)
        handler.requestID = requestID
        handler.traceID = traceID
        handler.tenantID = tenantID
        return LambdaContext(
            requestID: requestID,
            deadlineMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout.milliseconds),
            invokedFunctionARN: invokedFunctionARN ?? "arn:aws:lambda:us-east-1:123456789012:function:\(function.name)",
            traceID: traceID,
            clientContext: clientContext,
            cognitoIdentity: cognitoIdentity,
            tenantID: tenantID,
            function: function,
            logger: Logger(label: "lambda") { [handler] _ in handler })
    }
}

/// Invokes handlers in-process through the same decode → handle → encode path the
/// runtime uses, with no network: the outcome is exactly what the runtime would report.
public enum LambdaTest {
    public static func invoke<Handler: LambdaHandler>(
        _ handler: Handler,
        event: [UInt8],
        context: LambdaContext = .testing()
    ) async -> InvocationOutcome {
        await InvocationPipeline.invoke(JSONCodingHandler(handler), event: event, context: context)
    }

    public static func invoke<Handler: LambdaHandler>(
        _ handler: Handler,
        json: String,
        context: LambdaContext = .testing()
    ) async -> InvocationOutcome {
        await invoke(handler, event: Array(json.utf8), context: context)
    }

    /// Encodes `event` as JSON first, as a caller of the function would.
    public static func invoke<Handler: LambdaHandler>(
        _ handler: Handler,
        encoding event: some Encodable,
        context: LambdaContext = .testing()
    ) async throws -> InvocationOutcome {
        await invoke(handler, event: try JSON.encode(event), context: context)
    }

    /// A streaming handler: the outcome records each chunk it wrote.
    public static func invoke(
        streaming handler: some StreamingLambdaHandler,
        event: [UInt8],
        context: LambdaContext = .testing()
    ) async -> InvocationOutcome {
        await InvocationPipeline.invoke(StreamingInvocation(handler), event: event, context: context)
    }

    /// A handler that works after its response: the outcome is the response it wrote.
    public static func invoke<Handler: LambdaWithBackgroundProcessingHandler>(
        _ handler: Handler,
        json: String,
        context: LambdaContext = .testing()
    ) async -> InvocationOutcome {
        await InvocationPipeline.invoke(
            BackgroundProcessingInvocation(handler), event: Array(json.utf8), context: context)
    }

    public static func invoke(
        raw handler: some RawLambdaHandler,
        event: [UInt8],
        context: LambdaContext = .testing()
    ) async -> InvocationOutcome {
        await InvocationPipeline.invoke(handler, event: event, context: context)
    }
}

/// Why an outcome was not what a test expected.
public struct UnexpectedOutcome: Error, CustomStringConvertible {
    public var description: String
}

extension InvocationOutcome {
    /// The response payload; throws when the invocation failed.
    public func responseBytes() throws -> [UInt8] {
        switch self {
        case .response(let bytes): return bytes
        case .streamed(let stream) where stream.error == nil: return stream.body
        case .streamed(let stream): throw UnexpectedOutcome(description: "the stream failed: \(stream.error!)")
        case .error(let error): throw UnexpectedOutcome(description: "the invocation failed: \(error)")
        case .none: throw UnexpectedOutcome(description: "the handler answered nothing")
        }
    }

    /// The response decoded from JSON; throws when the invocation failed.
    public func decode<Output: Decodable>(as type: Output.Type = Output.self) throws -> Output {
        try JSON.decode(type, from: try responseBytes())
    }

    public var responseString: String? {
        if case .response(let bytes) = self { String(decoding: bytes, as: UTF8.self) } else { nil }
    }

    /// The error reported, before the response or in a stream's trailers.
    public var error: InvocationError? {
        switch self {
        case .error(let error): error
        case .streamed(let stream): stream.error
        default: nil
        }
    }

    /// The streamed response, for a streaming handler.
    public var stream: StreamedResponse? {
        if case .streamed(let stream) = self { stream } else { nil }
    }
}
