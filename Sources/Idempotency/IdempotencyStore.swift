import AWSDynamoDB
import JSONCoding
import LambdaRuntime
import UTCTime

public enum IdempotencyStatus: String, Sendable, Hashable {
    /// An effect is running; until `inProgressExpiry` no one else may run it.
    case inProgress = "INPROGRESS"
    /// The effect ran; `result` is what it returned.
    case completed = "COMPLETED"
}

/// What the store keeps per idempotency key.
public struct IdempotencyRecord: Sendable, Hashable {
    public var key: String
    public var status: IdempotencyStatus
    /// SHA-256 of the payload the key was first used with.
    public var payloadHash: String
    /// Epoch milliseconds after which an `INPROGRESS` record is taken to belong to a process
    /// that died: the deadline of the invocation that wrote it, since Lambda has stopped that
    /// invocation by then whatever happened to it.
    public var inProgressExpiry: Int64?
    /// Epoch seconds: the table's TTL attribute. After it the key may be used afresh.
    public var expiresAt: Int64
    /// The effect's result as JSON, once `COMPLETED`.
    public var result: String?
    /// The token of the `begin` call that wrote an `INPROGRESS` record.
    public var claim: String?

    public init(
        key: String, status: IdempotencyStatus, payloadHash: String, inProgressExpiry: Int64? = nil, expiresAt: Int64,
        result: String? = nil,
        claim: String? = nil
    ) {
        self.key = key
        self.status = status
        self.payloadHash = payloadHash
        self.inProgressExpiry = inProgressExpiry
        self.expiresAt = expiresAt
        self.result = result
        self.claim = claim
    }
}

public enum IdempotencyError: LambdaReportableError, Sendable, Hashable, CustomStringConvertible {
    /// Another invocation is running the effect for this key now. Retryable: after it
    /// completes the retry gets its result, after `until` (epoch ms) the retry runs the effect.
    case inProgress(key: String, until: Int64)
    /// The key was first used with a different payload. Not retryable: the caller reused a key.
    case payloadMismatch(key: String, storedHash: String, receivedHash: String)
    /// The effect failed, and removing its `INPROGRESS` record failed too: a retry can run
    /// only after `until` (epoch ms).
    case abandonFailed(key: String, effectError: String, abandonError: String, until: Int64)
    /// The effect ran, but its record could not be marked `COMPLETED`. A redelivery after the
    /// in-progress expiry would run the effect again; the caller decides whether to report success.
    case resultNotSaved(key: String, result: String, underlying: String)
    /// A stored record that cannot be read, or a saved result that is not the expected type.
    case invalidRecord(key: String, reason: String)

    public var isRetryable: Bool {
        switch self {
        case .inProgress, .abandonFailed: true
        case .payloadMismatch, .resultNotSaved, .invalidRecord: false
        }
    }

    public var description: String {
        switch self {
        case .inProgress(let key, let until):
            "idempotency key \(key) is in progress in another invocation (until \(until) ms since 1970); retry later"
        case .payloadMismatch(let key, let stored, let received):
            "idempotency key \(key) was first used with a different payload (hash \(stored.prefix(12))…, now \(received.prefix(12))…)"
        case .abandonFailed(let key, let effectError, let abandonError, let until):
            "idempotency key \(key): the effect failed (\(effectError)) and its in-progress record could not be removed (\(abandonError)); retryable after \(until) ms since 1970"
        case .resultNotSaved(let key, _, let underlying):
            "idempotency key \(key): the effect ran but its record could not be completed: \(underlying)"
        case .invalidRecord(let key, let reason):
            "idempotency key \(key): unreadable record: \(reason)"
        }
    }

    /// `Idempotency.InProgress` and so on: what a caller retrying after an error can tell apart.
    public var errorType: String {
        switch self {
        case .inProgress: "Idempotency.InProgress"
        case .payloadMismatch: "Idempotency.PayloadMismatch"
        case .abandonFailed: "Idempotency.AbandonFailed"
        case .resultNotSaved: "Idempotency.ResultNotSaved"
        case .invalidRecord: "Idempotency.InvalidRecord"
        }
    }
}

public enum IdempotencyBeginOutcome: Sendable, Hashable {
    /// An `INPROGRESS` record now holds the key: run the effect, then complete or abandon.
    case started
    /// The effect already ran for this key and payload.
    case completed(IdempotencyRecord)
}

/// A one-step exactly-once write: the idempotency record and the effect's own DynamoDB
/// writes, in one `TransactWriteItems`.
public struct IdempotentCommit: Sendable, Equatable {
    public var key: String
    public var payloadHash: String
    /// Attributes stored on the record beside the idempotency ones (an event's type, time...).
    public var recordAttributes: DynamoDBItem
    /// The effect: up to 99 writes that happen if and only if the record is new.
    public var effects: [DynamoDB.TransactWriteItem]
    public var result: String?

    public init(
        key: String, payloadHash: String, recordAttributes: DynamoDBItem = [:], effects: [DynamoDB.TransactWriteItem],
        result: String? = nil
    ) {
        self.key = key
        self.payloadHash = payloadHash
        self.recordAttributes = recordAttributes
        self.effects = effects
        self.result = result
    }
}

public enum IdempotentCommitOutcome: Sendable, Hashable {
    case committed
    /// The key was already committed with the same payload: nothing was written.
    case duplicate(IdempotencyRecord)
}

/// Idempotency records, DynamoDB-backed in functions and in memory in unit tests.
///
/// Two protocols over one table:
/// - two-phase, for effects outside DynamoDB (an SNS publish): ``begin(key:payloadHash:inProgressExpiry:deadline:)``,
///   then ``complete(key:payloadHash:result:deadline:)`` or ``abandon(key:deadline:)``;
///   ``idempotent(key:payloadHash:deadline:_:)`` runs the whole protocol around an effect.
/// - one step, for effects inside DynamoDB: ``commitOnce(_:deadline:)``.
///
/// `deadline` bounds the store's own calls (retries included), as for the AWS clients.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` with an `INPROGRESS` record, unless a live record holds it.
    ///
    /// Throws ``IdempotencyError/inProgress(key:until:)`` when another invocation holds it, and
    /// ``IdempotencyError/payloadMismatch(key:storedHash:receivedHash:)`` when it was used with another payload.
    func begin(key: String, payloadHash: String, inProgressExpiry: Int64, deadline: ContinuousClock.Instant?)
        async throws -> IdempotencyBeginOutcome
    /// Marks the key `COMPLETED` with the effect's result and the retention TTL.
    func complete(key: String, payloadHash: String, result: String, deadline: ContinuousClock.Instant?) async throws
    /// Deletes the `INPROGRESS` record of a failed effect, so that a retry can run it.
    func abandon(key: String, deadline: ContinuousClock.Instant?) async throws
    /// Writes the record and the effects atomically, or nothing if the key is taken.
    func commitOnce(_ commit: IdempotentCommit, deadline: ContinuousClock.Instant?) async throws
        -> IdempotentCommitOutcome
}

/// The invocation's deadline on both clocks: epoch milliseconds to store (other processes
/// compare it with their wall clock) and an instant to bound calls with.
public struct InvocationDeadline: Sendable, Hashable {
    public var epochMilliseconds: Int64
    public var instant: ContinuousClock.Instant

    public init(epochMilliseconds: Int64, instant: ContinuousClock.Instant) {
        self.epochMilliseconds = epochMilliseconds
        self.instant = instant
    }
}

public enum IdempotentOutcome<Output: Sendable>: Sendable {
    /// The effect ran now.
    case executed(Output)
    /// The effect had run before; this is its saved result.
    case replayed(Output)

    public var value: Output {
        switch self {
        case .executed(let value), .replayed(let value): value
        }
    }

    public var isReplay: Bool {
        if case .replayed = self { true } else { false }
    }
}

extension IdempotencyStore {
    /// Runs `effect` at most once per key, with the semantics Powertools for AWS Lambda made
    /// familiar:
    /// - a new key: an `INPROGRESS` record expiring at the invocation's deadline, the effect,
    ///   then `COMPLETED` with the result (or the record deleted if the effect throws, so a
    ///   retry can run);
    /// - a completed key: the saved result, without running the effect;
    /// - a key in progress: ``IdempotencyError/inProgress(key:until:)``, retryable;
    /// - a key used with another payload: ``IdempotencyError/payloadMismatch(key:storedHash:receivedHash:)``.
    public func idempotent<Output: Codable & Sendable>(
        key: String, payloadHash: String, deadline: InvocationDeadline,
        _ effect: () async throws -> Output
    ) async throws -> IdempotentOutcome<Output> {
        switch try await begin(
            key: key, payloadHash: payloadHash, inProgressExpiry: deadline.epochMilliseconds, deadline: deadline.instant
        ) {
        case .completed(let record):
            guard let saved = record.result else {
                throw IdempotencyError.invalidRecord(key: key, reason: "COMPLETED without a result")
            }
            do {
                return .replayed(try JSON.decode(Output.self, from: Array(saved.utf8)))
            } catch {
                throw IdempotencyError.invalidRecord(
                    key: key, reason: "the saved result is not a \(Output.self): \(error)")
            }
        case .started:
            break
        }

        let output: Output
        do {
            output = try await effect()
        } catch {
            do {
                try await abandon(key: key, deadline: deadline.instant)
            } catch let abandonError {
                throw IdempotencyError.abandonFailed(
                    key: key, effectError: "\(error)", abandonError: "\(abandonError)",
                    until: deadline.epochMilliseconds)
            }
            throw error
        }
        let result = String(decoding: try JSON.encode(output), as: UTF8.self)
        do {
            try await complete(key: key, payloadHash: payloadHash, result: result, deadline: deadline.instant)
        } catch {
            throw IdempotencyError.resultNotSaved(key: key, result: result, underlying: "\(error)")
        }
        return .executed(output)
    }
}

/// Epoch milliseconds now: the stores compare expiries written by other processes with it,
/// so it is the wall clock, injectable so that tests move time instead of waiting.
public enum IdempotencyClock {
    public typealias Now = @Sendable () -> Int64
    public static let system: Now = { UTCTime.now().millisecondsSince1970 }
}
