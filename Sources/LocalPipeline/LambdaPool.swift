import LambdaEmulator
import LambdaHTTP

/// Execution environments of one function, as Lambda keeps them: an invocation takes a warm
/// process with room for it, a new one starts when none has room and the pool may grow, and
/// otherwise the invocation waits for one to free up.
///
/// A process has room for one invocation at a time, or for `AWS_LAMBDA_MAX_CONCURRENCY` of
/// them when the function runs as on Lambda Managed Instances (its runtime polls that many
/// events at once).
public final class LambdaPool: Sendable {
    private struct State {
        var lambdas: [LocalLambda]
        var inFlight: [ObjectIdentifier: Int] = [:]
    }

    private let state: Guarded<State>
    private let makeLambda: (@Sendable () throws -> LocalLambda)?
    public let maximumProcesses: Int
    public let invocationsPerProcess: Int

    /// A pool of exactly these processes.
    public init(_ lambdas: [LocalLambda], invocationsPerProcess: Int = 1) {
        precondition(!lambdas.isEmpty, "a pool needs at least one function process")
        state = Guarded(State(lambdas: lambdas))
        makeLambda = nil
        maximumProcesses = lambdas.count
        self.invocationsPerProcess = invocationsPerProcess
    }

    /// A pool that starts empty and grows, one `makeLambda()` per process, up to
    /// `maximumProcesses`.
    public init(
        maximumProcesses: Int, invocationsPerProcess: Int = 1, makeLambda: @escaping @Sendable () throws -> LocalLambda
    ) {
        precondition(maximumProcesses >= 1 && invocationsPerProcess >= 1)
        state = Guarded(State(lambdas: []))
        self.makeLambda = makeLambda
        self.maximumProcesses = maximumProcesses
        self.invocationsPerProcess = invocationsPerProcess
    }

    /// The processes started so far.
    public var lambdas: [LocalLambda] { state.update { $0.lambdas } }

    /// Runs `body` with a process that has room for one more invocation, waiting for one when
    /// every process is busy and the pool cannot grow.
    public func withLambda<T>(_ body: (LocalLambda) throws -> T) throws -> T {
        let perProcess = invocationsPerProcess
        let maximum = maximumProcesses
        let makeLambda = makeLambda
        let lambda: LocalLambda = try state.wait { state -> Result<LocalLambda, any Error>? in
            if let roomy = state.lambdas.first(where: { state.inFlight[ObjectIdentifier($0), default: 0] < perProcess })
            {
                state.inFlight[ObjectIdentifier(roomy), default: 0] += 1
                return .success(roomy)
            }
            guard let makeLambda, state.lambdas.count < maximum else { return nil }
            // Under the lock: a LocalLambda only opens its Runtime API socket here; its process
            // starts with its first invocation.
            do {
                let fresh = try makeLambda()
                state.lambdas.append(fresh)
                state.inFlight[ObjectIdentifier(fresh)] = 1
                return .success(fresh)
            } catch {
                return .failure(error)
            }
        }.get()
        defer { state.update { $0.inFlight[ObjectIdentifier(lambda), default: 1] -= 1 } }
        return try body(lambda)
    }

    public func invoke(_ event: [UInt8]) -> InvocationReport {
        // Only a growing pool can fail to get a process, and fixed pools are what call this.
        do {
            return try withLambda { $0.invoke(event) }
        } catch {
            return .notStarted(requestID: "-", reason: "\(error)", memorySize: 0)
        }
    }

    /// Stops every process.
    public func shutdown() {
        for lambda in lambdas { lambda.shutdown() }
    }
}
