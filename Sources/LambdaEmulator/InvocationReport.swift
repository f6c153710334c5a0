import Foundation
import LambdaRuntime

/// What one invocation came to, as Lambda would report it.
public struct InvocationReport: Sendable {
    public enum Result: Sendable, Equatable {
        case response([UInt8])
        /// The runtime reported an error through `/invocation/{id}/error`, or sent a
        /// response Lambda refuses.
        case functionError(InvocationError)
        /// The runtime reported `/init/error`.
        case initError(InvocationError)
        case timedOut(Duration)
        /// The process ended while Lambda waited on it.
        case runtimeExited(RuntimeExitStatus)
        case startFailed(String)
    }

    public var requestID: String
    public var result: Result
    /// From handing the event to the runtime until its answer.
    public var duration: Duration
    public var memorySize: Int
    public var maxMemoryUsedMB: Int?
    /// The `Lambda-Runtime-Function-Error-Type` header the runtime sent with its error.
    public var errorTypeHeader: String?
    /// Set on the first invocation of a process: process start to its first `/next`.
    public var initDuration: Duration?
    /// A streamed response's bytes, whether or not it ended in an error (the caller of a
    /// streaming function got them either way).
    public var streamedBody: [UInt8]?
    /// From handing the event over to the first byte of a streamed response.
    public var timeToFirstByte: Duration?

    /// An invocation that never reached a process: the process could not be started.
    public static func notStarted(requestID: String, reason: String, memorySize: Int) -> InvocationReport {
        InvocationReport(
            requestID: requestID, result: .startFailed(reason), duration: .zero, memorySize: memorySize,
            maxMemoryUsedMB: nil, initDuration: nil)
    }

    public var isSuccess: Bool {
        if case .response = result { true } else { false }
    }

    /// What the invoker receives: the response payload, or the error document Lambda returns.
    public var payload: [UInt8] {
        switch result {
        case .response(let body): return body
        case .functionError(let error), .initError(let error): return Self.json(error)
        case .timedOut(let timeout):
            return Self.json(
                InvocationError(
                    type: "Sandbox.Timedout",
                    message: "RequestId: \(requestID) Error: Task timed out after \(Self.seconds(timeout)) seconds"))
        case .runtimeExited(let status):
            return Self.json(
                InvocationError(
                    type: "Runtime.ExitError",
                    message: "RequestId: \(requestID) Error: Runtime exited with error: \(status)"))
        case .startFailed(let reason):
            return Self.json(InvocationError(type: "Runtime.InvalidEntrypoint", message: reason))
        }
    }

    /// The error type, as the `X-Amz-Function-Error` header would carry it; nil on success.
    public var errorType: String? {
        guard !isSuccess else { return nil }
        return (try? JSONDecoder().decode(InvocationError.self, from: Data(payload)))?.errorType
    }

    public var billedDurationMilliseconds: Int {
        max(1, Int((duration / .milliseconds(1)).rounded(.up)))
    }

    /// The line Lambda logs after every invocation.
    public var reportLine: String {
        var line =
            "REPORT RequestId: \(requestID)\tDuration: \(Self.milliseconds(duration)) ms"
            + "\tBilled Duration: \(billedDurationMilliseconds) ms\tMemory Size: \(memorySize) MB"
            + "\tMax Memory Used: \(maxMemoryUsedMB.map(String.init) ?? "-") MB"
        if let initDuration { line += "\tInit Duration: \(Self.milliseconds(initDuration)) ms" }
        if case .timedOut = result { line += "\tStatus: timeout" }
        if case .runtimeExited = result { line += "\tStatus: error\tError Type: Runtime.ExitError" }
        return line
    }

    public static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration / .milliseconds(1))
    }

    public static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration / .seconds(1))
    }

    private static func json(_ error: InvocationError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? Array(encoder.encode(error))) ?? []
    }
}
