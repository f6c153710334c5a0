import AWSDynamoDB
import Idempotency
import Synchronization

/// The idempotency store in memory, for unit tests: the same semantics as the DynamoDB store,
/// a clock the test moves, and a log of the one-step commits so a test can count effects.
public final class InMemoryIdempotencyStore: IdempotencyStore {
    public let timeToLive: Duration
    private let state: Mutex<State>

    struct State {
        var records: [String: IdempotencyRecord] = [:]
        var commits: [IdempotentCommit] = []
        var nowMilliseconds: Int64
    }

    public init(timeToLive: Duration = .seconds(3600), nowMilliseconds: Int64 = 1_700_000_000_000) {
        self.timeToLive = timeToLive
        self.state = Mutex(State(nowMilliseconds: nowMilliseconds))
    }

    /// The store's clock, in epoch milliseconds.
    public var nowMilliseconds: Int64 {
        get { state.withLock { $0.nowMilliseconds } }
        set { state.withLock { $0.nowMilliseconds = newValue } }
    }

    public func advance(by duration: Duration) {
        state.withLock {
            $0.nowMilliseconds +=
                duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        }
    }

    public var records: [String: IdempotencyRecord] { state.withLock { $0.records } }

    public func record(for key: String) -> IdempotencyRecord? { state.withLock { $0.records[key] } }

    /// Every commit that was written, in order: the effects that happened.
    public var commits: [IdempotentCommit] { state.withLock { $0.commits } }

    private func isLive(_ record: IdempotencyRecord, now: Int64) -> Bool {
        guard record.expiresAt >= now / 1000 else { return false }
        if record.status == .inProgress, let expiry = record.inProgressExpiry, expiry < now { return false }
        return true
    }

    public func begin(key: String, payloadHash: String, inProgressExpiry: Int64, deadline: ContinuousClock.Instant?)
        async throws -> IdempotencyBeginOutcome
    {
        try state.withLock { state throws(IdempotencyError) -> IdempotencyBeginOutcome in
            let now = state.nowMilliseconds
            if let existing = state.records[key], isLive(existing, now: now) {
                guard existing.payloadHash == payloadHash else {
                    throw .payloadMismatch(key: key, storedHash: existing.payloadHash, receivedHash: payloadHash)
                }
                switch existing.status {
                case .completed: return .completed(existing)
                case .inProgress: throw .inProgress(key: key, until: existing.inProgressExpiry ?? 0)
                }
            }
            state.records[key] = IdempotencyRecord(
                key: key, status: .inProgress, payloadHash: payloadHash, inProgressExpiry: inProgressExpiry,
                expiresAt: now / 1000 + timeToLive.components.seconds)
            return .started
        }
    }

    public func complete(key: String, payloadHash: String, result: String, deadline: ContinuousClock.Instant?)
        async throws
    {
        state.withLock { state in
            state.records[key] = IdempotencyRecord(
                key: key, status: .completed, payloadHash: payloadHash,
                expiresAt: state.nowMilliseconds / 1000 + timeToLive.components.seconds, result: result)
        }
    }

    public func abandon(key: String, deadline: ContinuousClock.Instant?) async throws {
        state.withLock { state in
            if state.records[key]?.status == .inProgress { state.records[key] = nil }
        }
    }

    public func commitOnce(_ commit: IdempotentCommit, deadline: ContinuousClock.Instant?) async throws
        -> IdempotentCommitOutcome
    {
        try state.withLock { state throws(IdempotencyError) -> IdempotentCommitOutcome in
            let now = state.nowMilliseconds
            if let existing = state.records[commit.key], existing.expiresAt >= now / 1000 {
                guard existing.payloadHash == commit.payloadHash else {
                    throw .payloadMismatch(
                        key: commit.key, storedHash: existing.payloadHash, receivedHash: commit.payloadHash)
                }
                return .duplicate(existing)
            }
            state.records[commit.key] = IdempotencyRecord(
                key: commit.key, status: .completed, payloadHash: commit.payloadHash,
                expiresAt: now / 1000 + timeToLive.components.seconds, result: commit.result)
            state.commits.append(commit)
            return .committed
        }
    }
}
