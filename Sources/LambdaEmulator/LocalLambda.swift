import Foundation
import LambdaHTTP
import LambdaRuntime
import UTCTime
import LoopbackHTTP

#if canImport(Glibc)
import Glibc
#endif

/// How to run one function locally, as Lambda would configure it.
public struct LocalLambdaConfiguration: Sendable {
    /// The bootstrap's argv: an executable path, or e.g. `["python3", "-m", "awslambdaric", "app.handler"]`.
    public var command: [String]
    public var functionName: String
    public var memorySize: Int
    /// The invocation timeout, from the moment the runtime picks the event up.
    public var timeout: Duration
    /// How long the init phase may take before the first `/next` (Lambda allows 10 s).
    public var initTimeout: Duration
    public var region: String
    /// `_HANDLER`.
    public var handler: String
    /// `AWS_LAMBDA_LOG_FORMAT`: "Text" or "JSON"; nil leaves it unset.
    public var logFormat: String?
    /// `AWS_LAMBDA_LOG_LEVEL`; nil leaves it unset.
    public var logLevel: String?
    /// Variables set on top of Lambda's, like a function's configured environment.
    public var environment: [String: String]
    /// Whether the bootstrap also sees this process's environment (PATH, credentials, ...).
    public var inheritsEnvironment: Bool
    /// The task root: the bootstrap's working directory and `LAMBDA_TASK_ROOT`.
    public var workingDirectory: String?
    /// Receives the bootstrap's stdout and stderr as they arrive.
    public var functionOutput: @Sendable ([UInt8]) -> Void

    public init(
        command: [String],
        functionName: String,
        memorySize: Int = 128,
        timeout: Duration = .seconds(3),
        initTimeout: Duration = .seconds(10),
        region: String = "us-east-1",
        handler: String = "bootstrap",
        logFormat: String? = nil,
        logLevel: String? = nil,
        environment: [String: String] = [:],
        inheritsEnvironment: Bool = true,
        workingDirectory: String? = nil,
        functionOutput: @escaping @Sendable ([UInt8]) -> Void = LocalLambdaConfiguration.standardError
    ) {
        self.command = command
        self.functionName = functionName
        self.memorySize = memorySize
        self.timeout = timeout
        self.initTimeout = initTimeout
        self.region = region
        self.handler = handler
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.environment = environment
        self.inheritsEnvironment = inheritsEnvironment
        self.workingDirectory = workingDirectory
        self.functionOutput = functionOutput
    }

    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    public static let discard: @Sendable ([UInt8]) -> Void = { _ in }

    public var functionARN: String { "arn:aws:lambda:\(region):123456789012:function:\(functionName)" }
}

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

    public var isSuccess: Bool {
        if case .response = result { true } else { false }
    }

    /// What the invoker receives: the response payload, or the error document Lambda returns.
    public var payload: [UInt8] {
        switch result {
        case let .response(body): return body
        case let .functionError(error), let .initError(error): return Self.json(error)
        case let .timedOut(timeout):
            return Self.json(InvocationError(
                type: "Sandbox.Timedout",
                message: "RequestId: \(requestID) Error: Task timed out after \(Self.seconds(timeout)) seconds"))
        case let .runtimeExited(status):
            return Self.json(InvocationError(
                type: "Runtime.ExitError",
                message: "RequestId: \(requestID) Error: Runtime exited with error: \(status)"))
        case let .startFailed(reason):
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
        var line = "REPORT RequestId: \(requestID)\tDuration: \(Self.milliseconds(duration)) ms"
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

/// Plays the Lambda service for one function on this machine: serves the Runtime API on
/// loopback, starts the bootstrap as a real process with Lambda's environment, hands it
/// events one at a time, enforces the timeout, and reports what came back.
///
/// A process stays warm between invocations; after a timeout or a crash the next
/// invocation starts a new one, as Lambda starts a new execution environment.
public final class LocalLambda: Sendable {
    public let configuration: LocalLambdaConfiguration
    private let server: LoopbackHTTPServer
    private let state: ConditionGuarded<State>

    private struct Pending {
        var requestID: String
        var event: [UInt8]
        var clientContext: String?
        var cognitoIdentity: String?
    }

    private enum Completion {
        case response([UInt8])
        case error(InvocationError, typeHeader: String?)
    }

    private struct State {
        var process: ChildProcess?
        /// Bumped at every start, so that a long-poll left over from a dead process
        /// never takes an event meant for its successor.
        var generation = 0
        var startedAt: ContinuousClock.Instant?
        var initDuration: Duration?
        var initDurationReported = false
        var initError: InvocationError?
        var exitStatus: RuntimeExitStatus?
        var lastExitStatus: RuntimeExitStatus?
        var queue: [Pending] = []
        var pickedUp: [String: ContinuousClock.Instant] = [:]
        var completed: [String: (Completion, ContinuousClock.Instant)] = [:]
        var shutDown = false
    }

    public init(configuration: LocalLambdaConfiguration) throws {
        self.configuration = configuration
        let state = ConditionGuarded(State())
        self.state = state
        let timeout = configuration.timeout
        let functionARN = configuration.functionARN
        // Accept oversized responses so that they can be refused precisely with a 413.
        self.server = try LoopbackHTTPServer(maximumBodySize: 4 * LambdaLimits.maximumResponseSize) { request in
            LocalLambda.serveRuntimeAPI(request, state: state, timeout: timeout, functionARN: functionARN)
        }
    }

    deinit { shutdown() }

    /// `host:port` of the Runtime API, as `AWS_LAMBDA_RUNTIME_API` carries it.
    public var runtimeAPI: String { server.authority }

    /// How the most recent bootstrap process ended, if one has.
    public var lastExitStatus: RuntimeExitStatus? { state.withLock { $0.lastExitStatus } }

    /// CPU time (user + system) the running bootstrap has used so far.
    public var bootstrapCPUTime: Duration? {
        state.withLock { $0.process?.cpuTime }
    }

    /// The peak RSS of the running bootstrap, in kilobytes.
    public var peakResidentKilobytes: Int? {
        state.withLock { $0.process?.peakResidentKilobytes }
    }

    public enum StartOutcome: Sendable {
        /// The runtime called `/next` this long after its process started.
        case ready(initDuration: Duration)
        case failed(InvocationReport)
    }

    /// Starts the bootstrap if none runs, and waits for its first `/next`: the init phase.
    public func start() -> StartOutcome {
        let generation: Int
        do {
            generation = try ensureProcess()
        } catch {
            return .failed(failedInit(.startFailed("\(error)")))
        }
        let initTimeout = configuration.initTimeout
        let outcome: StartOutcome? = state.wait(deadline: { $0.startedAt.map { $0 + initTimeout } }) { state in
            guard state.generation == generation else { return .failed(self.failedInit(.runtimeExited(.signaled(SIGKILL)))) }
            if let duration = state.initDuration { return .ready(initDuration: duration) }
            if let error = state.initError { return .failed(self.failedInit(.initError(error))) }
            if let status = state.exitStatus { return .failed(self.failedInit(.runtimeExited(status))) }
            return nil
        }
        if let outcome { return outcome }
        stopProcess()
        return .failed(failedInit(.timedOut(initTimeout)))
    }

    private func failedInit(_ result: InvocationReport.Result) -> InvocationReport {
        InvocationReport(requestID: "-", result: result, duration: .zero, memorySize: configuration.memorySize, maxMemoryUsedMB: nil, initDuration: nil)
    }

    /// Invokes the function with `event` and waits for the outcome. Starts a process
    /// first when none is warm.
    public func invoke(
        _ event: [UInt8],
        requestID: String = UUID().uuidString.lowercased(),
        clientContext: String? = nil,
        cognitoIdentity: String? = nil
    ) -> InvocationReport {
        let generation: Int
        do {
            generation = try ensureProcess()
        } catch {
            return InvocationReport(
                requestID: requestID, result: .startFailed("\(error)"), duration: .zero,
                memorySize: configuration.memorySize, maxMemoryUsedMB: nil, initDuration: nil)
        }
        state.update {
            $0.queue.append(Pending(requestID: requestID, event: event, clientContext: clientContext, cognitoIdentity: cognitoIdentity))
        }

        let timeout = configuration.timeout
        let initTimeout = configuration.initTimeout
        enum Ending {
            case completed(Completion, picked: ContinuousClock.Instant, at: ContinuousClock.Instant)
            case initFailed(InvocationError)
            case exited(RuntimeExitStatus)
        }
        let enqueued = ContinuousClock.now
        let ending: Ending? = state.wait(deadline: { state in
            if let picked = state.pickedUp[requestID] { return picked + timeout }
            // Not picked up yet: a process still in its init phase may take initTimeout
            // first; a warm one is waited on from the moment the event was queued.
            guard state.initDuration == nil, let started = state.startedAt else { return enqueued + timeout }
            return max(enqueued, started + initTimeout) + timeout
        }) { state in
            if let (completion, at) = state.completed.removeValue(forKey: requestID) {
                let picked = state.pickedUp.removeValue(forKey: requestID) ?? at
                return .completed(completion, picked: picked, at: at)
            }
            if let error = state.initError, state.generation == generation {
                state.queue.removeAll { $0.requestID == requestID }
                return .initFailed(error)
            }
            if state.generation != generation || state.exitStatus != nil {
                state.queue.removeAll { $0.requestID == requestID }
                return .exited(state.exitStatus ?? .signaled(SIGKILL))
            }
            return nil
        }

        let (picked, initDuration, memoryKB) = state.withLock { state -> (ContinuousClock.Instant?, Duration?, Int?) in
            let picked = state.pickedUp[requestID]
            var initDuration: Duration?
            if !state.initDurationReported, let measured = state.initDuration {
                initDuration = measured
                state.initDurationReported = true
            }
            return (picked, initDuration, state.process?.peakResidentKilobytes)
        }
        func report(_ result: InvocationReport.Result, duration: Duration) -> InvocationReport {
            InvocationReport(
                requestID: requestID, result: result, duration: duration, memorySize: configuration.memorySize,
                maxMemoryUsedMB: memoryKB.map { ($0 + 1023) / 1024 }, initDuration: initDuration)
        }

        switch ending {
        case let .completed(.response(body), picked, at)?:
            return report(.response(body), duration: picked.duration(to: at))
        case let .completed(.error(error, typeHeader), picked, at)?:
            var failed = report(.functionError(error), duration: picked.duration(to: at))
            failed.errorTypeHeader = typeHeader
            return failed
        case let .initFailed(error)?:
            // A runtime exits on its own after reporting an init error; give it the chance,
            // so that its exit status is its own and not our kill.
            _ = state.wait(deadline: { _ in .now + .seconds(2) }) { state in
                state.generation != generation || state.exitStatus != nil ? true : nil
            }
            stopProcess()
            return report(.initError(error), duration: .zero)
        case let .exited(status)?:
            let duration = picked.map { $0.duration(to: .now) } ?? .zero
            return report(.runtimeExited(status), duration: duration)
        case nil:
            // Timed out: Lambda ends the execution environment, and so do we.
            stopProcess()
            state.update {
                $0.queue.removeAll { $0.requestID == requestID }
                $0.pickedUp.removeValue(forKey: requestID)
            }
            return report(.timedOut(timeout), duration: picked.map { $0.duration(to: .now) } ?? timeout)
        }
    }

    /// Ends the bootstrap, if one runs, and waits for it to be gone. With a grace period
    /// it gets SIGTERM first, as Lambda's shutdown phase sends, and SIGKILL only if it is
    /// still there afterwards; without one (a timeout), SIGKILL at once.
    public func stopProcess(gracePeriod: Duration = .zero) {
        guard let (process, generation) = state.withLock({ state in state.process.map { ($0, state.generation) } }) else { return }
        let gone: (inout State) -> Bool? = { state in state.generation != generation || state.process == nil ? true : nil }
        if gracePeriod > .zero {
            process.kill(SIGTERM)
            let deadline = ContinuousClock.now + gracePeriod
            if state.wait(deadline: { _ in deadline }, until: gone) != nil { return }
        }
        process.kill(SIGKILL)
        _ = state.wait(deadline: { _ in .now + .seconds(5) }, until: gone)
    }

    /// Stops the bootstrap (SIGTERM, then SIGKILL after `gracePeriod`) and the Runtime API server.
    public func shutdown(gracePeriod: Duration = .milliseconds(500)) {
        stopProcess(gracePeriod: gracePeriod)
        state.update { $0.shutDown = true }
        server.stop()
    }

    private func ensureProcess() throws -> Int {
        if let generation = state.withLock({ state in state.process != nil && state.exitStatus == nil ? state.generation : nil }) {
            return generation
        }
        let generation = state.update { state -> Int in
            state.generation += 1
            state.process = nil
            state.exitStatus = nil
            state.initError = nil
            state.initDuration = nil
            state.initDurationReported = false
            state.startedAt = .now
            return state.generation
        }
        let state = self.state
        let process = try ChildProcess(
            arguments: configuration.command,
            environment: lambdaEnvironment(),
            workingDirectory: configuration.workingDirectory,
            output: configuration.functionOutput,
            onExit: { status in
                state.update { state in
                    state.lastExitStatus = status
                    guard state.generation == generation else { return }
                    state.exitStatus = status
                    state.process = nil
                }
            })
        state.update { state in
            if state.generation == generation, state.exitStatus == nil { state.process = process }
        }
        return generation
    }

    /// The environment Lambda gives a function, over this process's own when inherited.
    public func lambdaEnvironment() -> [String: String] {
        var environment = configuration.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        let taskRoot = configuration.workingDirectory ?? FileManager.default.currentDirectoryPath
        let day = Date().formatted(.iso8601.year().month().day().dateSeparator(.dash)).replacingOccurrences(of: "-", with: "/")
        let streamID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let lambda: [String: String] = [
            "AWS_LAMBDA_RUNTIME_API": runtimeAPI,
            "AWS_LAMBDA_FUNCTION_NAME": configuration.functionName,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(configuration.memorySize),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(configuration.functionName)",
            "AWS_LAMBDA_LOG_STREAM_NAME": "\(day)/[$LATEST]\(streamID)",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": configuration.region,
            "AWS_DEFAULT_REGION": configuration.region,
            "_HANDLER": configuration.handler,
            "LAMBDA_TASK_ROOT": taskRoot,
            "LAMBDA_RUNTIME_DIR": taskRoot,
            "TZ": ":UTC",
        ]
        environment.merge(lambda) { _, lambda in lambda }
        if let format = configuration.logFormat { environment["AWS_LAMBDA_LOG_FORMAT"] = format }
        if let level = configuration.logLevel { environment["AWS_LAMBDA_LOG_LEVEL"] = level }
        environment.merge(configuration.environment) { _, configured in configured }
        return environment
    }

    // MARK: The Runtime API, 2018-06-01

    private static func serveRuntimeAPI(
        _ request: HTTPServerRequest,
        state: ConditionGuarded<State>,
        timeout: Duration,
        functionARN: String
    ) -> HTTPServerReply {
        let prefix = "/2018-06-01/runtime/"
        let path = request.path
        guard path.hasPrefix(prefix) else { return apiError(404, "UnknownResource", "no such resource: \(path)") }
        let parts = path.dropFirst(prefix.count).split(separator: "/")

        switch (request.method, parts.count, parts.first, parts.last) {
        case ("GET", 2, "invocation", "next"):
            return next(state: state, timeout: timeout, functionARN: functionARN)
        case ("POST", 3, "invocation", "response"):
            let requestID = String(parts[1])
            guard request.body.count <= LambdaLimits.maximumResponseSize else {
                let message = "Response payload size (\(request.body.count) bytes) exceeded maximum allowed payload size (\(LambdaLimits.maximumResponseSize) bytes)."
                _ = complete(requestID, .error(InvocationError(type: "Function.ResponseSizeTooLarge", message: message), typeHeader: nil), state: state)
                return apiError(413, "RequestEntityTooLarge", message)
            }
            return complete(requestID, .response(request.body), state: state)
        case ("POST", 3, "invocation", "error"):
            let typeHeader = request.headers["Lambda-Runtime-Function-Error-Type"]
            let error = InvocationError(reported: request.body, typeHeader: typeHeader)
            return complete(String(parts[1]), .error(error, typeHeader: typeHeader), state: state)
        case ("POST", 2, "init", "error"):
            let error = InvocationError(reported: request.body, typeHeader: request.headers["Lambda-Runtime-Function-Error-Type"])
            state.update { $0.initError = error }
            return accepted()
        default:
            return apiError(404, "UnknownResource", "no such resource: \(request.method) \(path)")
        }
    }

    private static func next(state: ConditionGuarded<State>, timeout: Duration, functionARN: String) -> HTTPServerReply {
        let generation = state.update { state -> Int in
            if state.initDuration == nil, let started = state.startedAt {
                state.initDuration = started.duration(to: .now)
            }
            return state.generation
        }
        let pending: Pending? = state.wait { state in
            if state.shutDown || state.generation != generation { return .some(nil) }
            guard !state.queue.isEmpty else { return nil }
            let pending = state.queue.removeFirst()
            state.pickedUp[pending.requestID] = .now
            return .some(pending)
        } ?? nil
        guard let pending else { return .dropConnection }

        let deadline = UTCTime.now().millisecondsSince1970 + Int64(timeout.milliseconds)
        var headers: HTTPHeaders = [
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": pending.requestID,
            "Lambda-Runtime-Deadline-Ms": String(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": functionARN,
            "Lambda-Runtime-Trace-Id": traceID(),
        ]
        if let clientContext = pending.clientContext { headers.add("Lambda-Runtime-Client-Context", clientContext) }
        if let cognitoIdentity = pending.cognitoIdentity { headers.add("Lambda-Runtime-Cognito-Identity", cognitoIdentity) }
        return .response(HTTPResponse(status: 200, headers: headers, body: pending.event))
    }

    private static func complete(_ requestID: String, _ completion: Completion, state: ConditionGuarded<State>) -> HTTPServerReply {
        let known = state.update { state -> Bool in
            guard state.pickedUp[requestID] != nil, state.completed[requestID] == nil else { return false }
            state.completed[requestID] = (completion, .now)
            return true
        }
        guard known else {
            return apiError(400, "InvalidRequestID", "Invalid request ID: \(requestID) is not an invocation in progress")
        }
        return accepted()
    }

    private static func accepted() -> HTTPServerReply {
        .response(HTTPResponse(status: 202, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"OK"}"#.utf8)))
    }

    private static func apiError(_ status: Int, _ type: String, _ message: String) -> HTTPServerReply {
        let body = (try? JSONEncoder().encode(["errorType": type, "errorMessage": message])) ?? Data()
        return .response(HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body)))
    }

    /// An X-Ray trace header of the documented shape: Root=1-{epoch hex}-{96-bit id}.
    private static func traceID() -> String {
        let epoch = String(Int(Date().timeIntervalSince1970), radix: 16)
        let root = (0..<24).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        let parent = (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return "Root=1-\(epoch)-\(root);Parent=\(parent);Sampled=0"
    }
}
