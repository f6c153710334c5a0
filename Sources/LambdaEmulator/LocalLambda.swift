import Foundation
import LambdaHTTP
import LambdaRuntime
import LoopbackHTTP
import UTCTime

#if canImport(Glibc)
    import Glibc
#endif

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

    struct Pending {
        var requestID: String
        var event: [UInt8]
        var clientContext: String?
        var cognitoIdentity: String?
        var tenantID: String?
        /// The trace Lambda passes on (an SQS message's `AWSTraceHeader`); one is made up otherwise.
        var traceID: String?
        var onChunk: (@Sendable ([UInt8]) -> Void)?
    }

    enum Completion {
        case response([UInt8])
        case error(InvocationError, typeHeader: String?)
        /// A streamed response, whole, with the error its trailers carried.
        case streamed([UInt8], error: InvocationError?, firstByte: ContinuousClock.Instant?)
    }

    struct State {
        var process: ChildProcess?
        /// Bumped at every start, so that a long-poll left over from a dead process
        /// never takes an event meant for its successor.
        var generation = 0
        /// The server's first connection of this generation: one accepted earlier belongs to an
        /// earlier process, whose `/next` read late must neither take the event nor end the init.
        var firstConnection = 1
        var startedAt: ContinuousClock.Instant?
        var initDuration: Duration?
        var initDurationReported = false
        var initError: InvocationError?
        var exitStatus: RuntimeExitStatus?
        var lastExitStatus: RuntimeExitStatus?
        var queue: [Pending] = []
        var pickedUp: [String: ContinuousClock.Instant] = [:]
        var completed: [String: (Completion, ContinuousClock.Instant)] = [:]
        /// Who to tell about each chunk of a streamed response, by request id.
        var chunkObservers: [String: @Sendable ([UInt8]) -> Void] = [:]
        /// Extensions the running process registered: with any, Lambda stops it with SIGTERM
        /// first; with none, SIGKILL at once.
        var extensions: Set<String> = []
        var shutDown = false
        /// A caller is spawning the process: concurrent first invocations wait for that one
        /// rather than each start (and kill) one of their own.
        var spawning = false
    }

    public init(configuration: LocalLambdaConfiguration) throws {
        self.configuration = configuration
        let state = ConditionGuarded(State())
        self.state = state
        let timeout = configuration.timeout
        let functionARN = configuration.functionARN
        // Accept oversized responses so that they can be refused precisely with a 413; streamed
        // ones are read as they arrive, up to Lambda's 200 MB.
        self.server = try LoopbackHTTPServer(
            maximumBodySize: LambdaLimits.maximumStreamedResponseSize + (1 << 20),
            streamsRequestBody: { $0.headers["Lambda-Runtime-Function-Response-Mode"] == "streaming" },
            handler: { request in
                LocalLambda.serveRuntimeAPI(request, state: state, timeout: timeout, functionARN: functionARN)
            })
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
        let outcome: StartOutcome? = state.wait(
            deadline: { $0.startedAt.map { $0 + initTimeout } },
            until: { state in
                guard state.generation == generation else {
                    return .failed(self.failedInit(.runtimeExited(.signaled(SIGKILL))))
                }
                if let duration = state.initDuration { return .ready(initDuration: duration) }
                if let error = state.initError { return .failed(self.failedInit(.initError(error))) }
                if let status = state.exitStatus { return .failed(self.failedInit(.runtimeExited(status))) }
                return nil
            })
        if let outcome { return outcome }
        stopProcess()
        return .failed(failedInit(.timedOut(initTimeout)))
    }

    private func failedInit(_ result: InvocationReport.Result) -> InvocationReport {
        InvocationReport(
            requestID: "-", result: result, duration: .zero, memorySize: configuration.memorySize, maxMemoryUsedMB: nil,
            initDuration: nil)
    }

    /// Invokes the function with `event` and waits for the outcome. Starts a process
    /// first when none is warm.
    public func invoke(
        _ event: [UInt8],
        requestID: String = UUID().uuidString.lowercased(),
        clientContext: String? = nil,
        cognitoIdentity: String? = nil,
        tenantID: String? = nil,
        traceID: String? = nil,
        onChunk: (@Sendable ([UInt8]) -> Void)? = nil
    ) -> InvocationReport {
        let generation: Int
        do {
            generation = try ensureProcess()
        } catch {
            return .notStarted(requestID: requestID, reason: "\(error)", memorySize: configuration.memorySize)
        }
        state.update {
            $0.queue.append(
                Pending(
                    requestID: requestID, event: event, clientContext: clientContext, cognitoIdentity: cognitoIdentity,
                    tenantID: tenantID, traceID: traceID, onChunk: onChunk))
        }

        let timeout = configuration.timeout
        let initTimeout = configuration.initTimeout
        enum Ending {
            case completed(Completion, picked: ContinuousClock.Instant, at: ContinuousClock.Instant)
            case initFailed(InvocationError)
            case exited(RuntimeExitStatus)
        }
        let enqueued = ContinuousClock.now
        let ending: Ending? = state.wait(
            deadline: { state in
                if let picked = state.pickedUp[requestID] { return picked + timeout }
                // Not picked up yet: a process still in its init phase may take initTimeout
                // first; a warm one is waited on from the moment the event was queued.
                guard state.initDuration == nil, let started = state.startedAt else { return enqueued + timeout }
                return max(enqueued, started + initTimeout) + timeout
            },
            until: { state in
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
            })

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
        case .completed(.response(let body), let picked, let at)?:
            return report(.response(body), duration: picked.duration(to: at))
        case .completed(.streamed(let body, let error, let firstByte), let picked, let at)?:
            var streamed = report(
                error.map { .functionError($0) } ?? .response(body), duration: picked.duration(to: at))
            streamed.streamedBody = body
            streamed.timeToFirstByte = firstByte.map { picked.duration(to: $0) }
            streamed.errorTypeHeader = error?.errorType
            return streamed
        case .completed(.error(let error, let typeHeader), let picked, let at)?:
            var failed = report(.functionError(error), duration: picked.duration(to: at))
            failed.errorTypeHeader = typeHeader
            return failed
        case .initFailed(let error)?:
            // A runtime exits on its own after reporting an init error; give it the chance,
            // so that its exit status is its own and not our kill.
            _ = state.wait(
                deadline: { _ in .now + .seconds(2) },
                until: { state in state.generation != generation || state.exitStatus != nil ? true : nil })
            stopProcess()
            return report(.initError(error), duration: .zero)
        case .exited(let status)?:
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

    /// Ends the bootstrap, if one runs, and waits for it to be gone. As Lambda's shutdown phase:
    /// a process that registered an extension gets SIGTERM and `gracePeriod` to exit, then
    /// SIGKILL; one that did not (Lambda sends nothing it could act on) and a timed-out one get
    /// SIGKILL at once.
    public func stopProcess(gracePeriod: Duration = .zero) {
        guard
            let (process, generation, hasExtensions) = state.withLock({ state in
                state.process.map { ($0, state.generation, !state.extensions.isEmpty) }
            })
        else { return }
        let gracePeriod = hasExtensions ? gracePeriod : .zero
        let gone: (inout State) -> Bool? = { state in
            state.generation != generation || state.process == nil ? true : nil
        }
        if gracePeriod > .zero {
            process.kill(SIGTERM)
            let deadline = ContinuousClock.now + gracePeriod
            if state.wait(deadline: { _ in deadline }, until: gone) != nil { return }
        }
        process.kill(SIGKILL)
        _ = state.wait(deadline: { _ in .now + .seconds(5) }, until: gone)
    }

    /// Delivers everything the running bootstrap has written so far to `functionOutput`.
    public func flushOutput() {
        state.withLock { $0.process }?.flushOutput()
    }

    /// Kills the bootstrap with SIGKILL if it is handling an invocation right now, as an
    /// out-of-memory kill or a crash in native code would; the invocation ends as
    /// `Runtime.ExitError` and the next one starts a new process. For chaos runs; returns
    /// whether it killed one.
    public func killIfInvoking() -> Bool {
        guard let process = state.withLock({ $0.pickedUp.isEmpty ? nil : $0.process }) else { return false }
        process.kill(SIGKILL)
        return true
    }

    /// Stops the bootstrap (SIGTERM, then SIGKILL after `gracePeriod`) and the Runtime API server.
    public func shutdown(gracePeriod: Duration = .milliseconds(500)) {
        stopProcess(gracePeriod: gracePeriod)
        state.update { $0.shutDown = true }
        server.stop()
    }

    private func ensureProcess() throws -> Int {
        enum Step {
            case running(Int)
            case spawn(Int)
        }
        let server = self.server
        let step = state.wait { state -> Step? in
            if state.process != nil && state.exitStatus == nil { return .running(state.generation) }
            guard !state.spawning else { return nil }
            state.spawning = true
            state.generation += 1
            state.firstConnection = server.acceptedConnections + 1
            state.process = nil
            state.exitStatus = nil
            state.initError = nil
            state.initDuration = nil
            state.initDurationReported = false
            state.extensions = []
            state.startedAt = .now
            return .spawn(state.generation)
        }
        let generation: Int
        switch step {
        case .running(let running)?: return running
        case .spawn(let next)?: generation = next
        case nil: preconditionFailure("a wait without a deadline ended without a result")
        }
        let state = self.state
        let process: ChildProcess
        do {
            process = try ChildProcess(
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
        } catch {
            state.update { $0.spawning = false }
            throw error
        }
        state.update { state in
            state.spawning = false
            if state.generation == generation, state.exitStatus == nil { state.process = process }
        }
        return generation
    }

    /// The environment Lambda gives a function, over this process's own when inherited.
    public func lambdaEnvironment() -> [String: String] {
        var environment = configuration.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        let taskRoot = configuration.workingDirectory ?? FileManager.default.currentDirectoryPath
        let day = Date().formatted(.iso8601.year().month().day().dateSeparator(.dash)).replacingOccurrences(
            of: "-", with: "/")
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
}
