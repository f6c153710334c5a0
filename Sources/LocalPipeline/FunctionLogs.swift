import Foundation
import LambdaEmulator
import Synchronization

/// The output of a function's processes, kept per process so that a tail holds only the
/// invocation's own lines (under `AWS_LAMBDA_MAX_CONCURRENCY` a process's concurrent
/// invocations share it).
public final class FunctionLogs: Sendable {
    private let buffers = Mutex<[ObjectIdentifier: ProcessLog]>([:])

    public init() {}

    /// A process of the function whose output is kept here, and still goes where
    /// `configuration` sends it.
    public func makeLambda(_ configuration: LocalLambdaConfiguration) throws -> LocalLambda {
        var configuration = configuration
        let log = ProcessLog(forward: configuration.functionOutput)
        configuration.functionOutput = { log.write($0) }
        let lambda = try LocalLambda(configuration: configuration)
        buffers.withLock { $0[ObjectIdentifier(lambda)] = log }
        return lambda
    }

    func log(of lambda: LocalLambda) -> ProcessLog? {
        buffers.withLock { $0[ObjectIdentifier(lambda)] }
    }
}

/// What one process wrote, the last 64 KB of it, with a running count to cut an invocation's
/// part out.
final class ProcessLog: Sendable {
    private struct State {
        var retained: [UInt8] = []
        var written = 0
    }

    private static let retainedLimit = 64 * 1024
    private let state = Mutex(State())
    private let forward: @Sendable ([UInt8]) -> Void

    init(forward: @escaping @Sendable ([UInt8]) -> Void) {
        self.forward = forward
    }

    func write(_ bytes: [UInt8]) {
        state.withLock { state in
            state.retained += bytes
            if state.retained.count > Self.retainedLimit {
                state.retained.removeFirst(state.retained.count - Self.retainedLimit)
            }
            state.written += bytes.count
        }
        forward(bytes)
    }

    var mark: Int { state.withLock { $0.written } }

    /// What was written since `mark` (flush the process's output first: its last lines
    /// travel through a pipe and may trail its answer).
    func written(since mark: Int) -> [UInt8] {
        state.withLock { state in
            let count = min(state.written - mark, state.retained.count)
            return Array(state.retained.suffix(count))
        }
    }
}
