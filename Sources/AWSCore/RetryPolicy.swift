import LambdaHTTP

/// When and how long to wait before trying a call again.
///
/// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): the wait before retry `n` is uniform in `0 ... min(maximumDelay, baseDelay·2ⁿ⁻¹)`,
/// so many clients throttled at once spread out instead of retrying in lockstep.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included. 1 disables retries.
    public var maximumAttempts: Int
    public var baseDelay: Duration
    public var maximumDelay: Duration

    public init(
        maximumAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5)
    ) {
        precondition(maximumAttempts >= 1, "maximumAttempts counts the first attempt, so it is at least 1")
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The upper bound of the wait after `failedAttempts` attempts have failed (1 = after the first).
    public func delayCeiling(afterFailedAttempts failedAttempts: Int) -> Duration {
        let exponent = min(max(failedAttempts - 1, 0), 30)
        let ceiling = baseDelay * (1 << exponent)
        return min(ceiling, maximumDelay)
    }

    /// The wait after `failedAttempts` failures, for a `jitter` drawn uniformly from 0...1.
    public func delay(afterFailedAttempts failedAttempts: Int, jitter: Double) -> Duration {
        delayCeiling(afterFailedAttempts: failedAttempts) * min(max(jitter, 0), 1)
    }

    /// Throttling, 5xx and network failures: the ones a later attempt may not meet. A 4xx
    /// (a failed condition, a missing table, bad credentials) would fail the same way again.
    public static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as AWSError:
            return error.isThrottling || error.isServerError
        case let error as HTTPClientError:
            return error.isTransient
        default:
            return false
        }
    }
}

/// The clock, sleep and randomness a retry loop uses, injectable so that tests check delays
/// and deadlines exactly and without waiting.
public struct RetryTiming: Sendable {
    public var now: @Sendable () -> ContinuousClock.Instant
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A number drawn uniformly from 0...1.
    public var jitter: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        jitter: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.sleep = sleep
        self.jitter = jitter
    }

    public static let live = RetryTiming(
        now: { ContinuousClock.now },
        sleep: { try await Task.sleep(for: $0) },
        jitter: { Double.random(in: 0...1) })
}
