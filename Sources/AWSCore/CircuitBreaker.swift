import Synchronization

/// Fails calls to an endpoint fast while it is known to be down, then lets one probe through
/// after a cool-down to see whether it came back.
///
/// closed → (N consecutive failures) → open → (cool-down) → half-open: one probe is let
/// through; its success closes the circuit, its failure opens it for another cool-down.
/// A Lambda invocation that would spend its remaining seconds on timeouts to a dead endpoint
/// fails at once instead, and the endpoint is not hammered while it recovers.
public final class CircuitBreaker: Sendable {
    public struct Configuration: Sendable {
        /// Consecutive failures that open the circuit.
        public var failureThreshold: Int
        /// How long the circuit stays open before a probe is allowed.
        public var coolDown: Duration

        public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(10)) {
            precondition(failureThreshold >= 1)
            self.failureThreshold = failureThreshold
            self.coolDown = coolDown
        }
    }

    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    public let endpoint: String
    public let configuration: Configuration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex<State>(.closed(consecutiveFailures: 0))

    public init(
        endpoint: String, configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.now = now
    }

    /// The state as of now (an expired open state reads as half-open).
    public var currentState: State {
        let now = self.now()
        return state.withLock { state in
            if case .open(let until) = state, now >= until { return .halfOpen(probeInFlight: false) }
            return state
        }
    }

    /// Whether a call may go ahead now. A `true` must be followed by `recordSuccess()` or
    /// `recordFailure()`, so that a half-open probe is always resolved.
    public func allowRequest() -> Bool {
        let now = self.now()
        return state.withLock { state in
            switch state {
            case .closed:
                return true
            case .open(let until):
                guard now >= until else { return false }
                state = .halfOpen(probeInFlight: true)
                return true
            case .halfOpen(probeInFlight: true):
                return false
            case .halfOpen(probeInFlight: false):
                state = .halfOpen(probeInFlight: true)
                return true
            }
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = .closed(consecutiveFailures: 0) }
    }

    public func recordFailure() {
        let reopenUntil = now() + configuration.coolDown
        let threshold = configuration.failureThreshold
        state.withLock { state in
            switch state {
            case .closed(let failures):
                state =
                    failures + 1 >= threshold ? .open(until: reopenUntil) : .closed(consecutiveFailures: failures + 1)
            case .halfOpen:
                state = .open(until: reopenUntil)
            case .open:
                break  // a call admitted before the circuit opened; the cool-down stands
            }
        }
    }
}

/// One breaker per endpoint, created on first use. Share one registry between clients that
/// should share an endpoint's health.
public final class CircuitBreakerRegistry: Sendable {
    public let configuration: CircuitBreaker.Configuration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let breakers = Mutex<[String: CircuitBreaker]>([:])

    public init(
        configuration: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.configuration = configuration
        self.now = now
    }

    public func breaker(for endpoint: String) -> CircuitBreaker {
        breakers.withLock { breakers in
            if let breaker = breakers[endpoint] { return breaker }
            let breaker = CircuitBreaker(endpoint: endpoint, configuration: configuration, now: now)
            breakers[endpoint] = breaker
            return breaker
        }
    }
}
