import LambdaHTTP
import LoopbackHTTP
import TestSupport
import Testing

@testable import AWSCore

@Suite struct BackoffTests {
    @Test func ceilingDoublesFromTheBaseAndStopsAtTheMaximum() {
        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        let ceilings = (1...6).map { policy.delayCeiling(afterFailedAttempts: $0) }
        #expect(
            ceilings == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1),
            ])
    }

    @Test func fullJitterSpansZeroToTheCeiling() {
        let policy = RetryPolicy(maximumAttempts: 5, baseDelay: .milliseconds(100), maximumDelay: .seconds(5))
        #expect(policy.delay(afterFailedAttempts: 3, jitter: 0) == .zero)
        #expect(policy.delay(afterFailedAttempts: 3, jitter: 1) == .milliseconds(400))
        #expect(policy.delay(afterFailedAttempts: 3, jitter: 0.25) == .milliseconds(100))
        // Out-of-range draws are clamped, never a negative or an over-long wait.
        #expect(policy.delay(afterFailedAttempts: 3, jitter: 7) == .milliseconds(400))
        #expect(policy.delay(afterFailedAttempts: 3, jitter: -1) == .zero)
    }

    @Test func onlyThrottlingServerAndNetworkFailuresAreRetryable() {
        func error(_ code: AWSErrorCode, _ status: Int) -> AWSError {
            AWSError(service: "S", operation: "O", code: code, message: nil, requestID: nil, statusCode: status)
        }
        #expect(RetryPolicy.isRetryable(error("ThrottlingException", 400)))
        #expect(RetryPolicy.isRetryable(error("ProvisionedThroughputExceededException", 400)))
        #expect(RetryPolicy.isRetryable(error("UnknownError", 429)))
        #expect(RetryPolicy.isRetryable(error("InternalServerError", 500)))
        #expect(RetryPolicy.isRetryable(error("ServiceUnavailable", 503)))
        #expect(!RetryPolicy.isRetryable(error("ConditionalCheckFailedException", 400)))
        #expect(!RetryPolicy.isRetryable(error("AccessDeniedException", 403)))
        #expect(RetryPolicy.isRetryable(HTTPClientError.connectionFailed(url: "u", reason: "refused")))
        #expect(RetryPolicy.isRetryable(HTTPClientError.transferFailed(url: "u", reason: "reset")))
        #expect(!RetryPolicy.isRetryable(HTTPClientError.tlsFailed(url: "u", reason: "untrusted")))
        #expect(!RetryPolicy.isRetryable(CancellationError()))
    }
}

@Suite struct RetryTests {
    func transport(
        _ endpoint: ScriptedEndpoint, _ timing: FakeTiming, policy: RetryPolicy, breakers: CircuitBreakerRegistry? = nil
    ) -> AWSTransport {
        AWSTransport(
            service: testService, configuration: testConfiguration(endpoint: endpoint.url),
            options: .init(retryPolicy: policy, attemptTimeout: .seconds(5)),
            circuitBreakers: breakers ?? CircuitBreakerRegistry(now: { timing.now }),
            timing: timing.timing)
    }

    @Test func retriesThrottlingWithGrowingBackoffThenSucceeds() async throws {
        let endpoint = try ScriptedEndpoint([
            ScriptedEndpoint.throttled, ScriptedEndpoint.throttled, ScriptedEndpoint.ok,
        ])
        let timing = FakeTiming(jitters: [1.0])
        let client = transport(endpoint, timing, policy: RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(100)))
        let output: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        #expect(output == Empty())
        #expect(endpoint.received.count == 3)
        #expect(timing.sleeps == [.milliseconds(100), .milliseconds(200)])
        // Each attempt is signed afresh.
        #expect(endpoint.received.allSatisfy { $0.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 ") == true })
    }

    @Test func retriesServerErrorsAndDroppedConnections() async throws {
        // The drop comes first, on a fresh connection: on a reused one curl itself re-sends
        // the request once, and the drop would never reach the retry loop.
        let endpoint = try ScriptedEndpoint([
            .dropConnection, ScriptedEndpoint.internalError,
            .status(503, "<html>busy</html>", contentType: "text/html"), ScriptedEndpoint.ok,
        ])
        let timing = FakeTiming(jitters: [0.5])
        let client = transport(endpoint, timing, policy: RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(100)))
        let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        #expect(endpoint.received.count == 4)
        #expect(timing.sleeps == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    @Test func stopsAfterTheMaximumAttemptsWithTheLastError() async throws {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.internalError])
        let timing = FakeTiming(jitters: [0.3, 0.9])
        let policy = RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(100))
        let client = transport(endpoint, timing, policy: policy)
        let error = await #expect(throws: AWSError.self) {
            let _: Empty = try await client.sendJSON(operation: "PutItem", input: Empty(), deadline: nil)
        }
        #expect(error?.code == "InternalServerError")
        #expect(error?.statusCode == 500)
        #expect(error?.requestID == "req-500")
        #expect(endpoint.received.count == 3)
        #expect(timing.sleeps == [.milliseconds(30), .milliseconds(180)])
        // Every wait was within its full-jitter bound.
        for (index, sleep) in timing.sleeps.enumerated() {
            #expect(sleep >= .zero && sleep <= policy.delayCeiling(afterFailedAttempts: index + 1))
        }
    }

    @Test func droppedConnectionsSurfaceAsANetworkErrorWithAttempts() async throws {
        let endpoint = try ScriptedEndpoint([.dropConnection])
        let timing = FakeTiming()
        let client = transport(endpoint, timing, policy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(10)))
        let error = await #expect(throws: AWSTransportError.self) {
            let _: Empty = try await client.sendJSON(operation: "Query", input: Empty(), deadline: nil)
        }
        guard case .network(_, let operation, let attempts, _) = error else {
            Issue.record("expected a network error, got \(String(describing: error))")
            return
        }
        #expect(operation == "Query")
        #expect(attempts == 2)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let endpoint = try ScriptedEndpoint([
            ScriptedEndpoint.json(
                400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"bad key"}"#)
        ])
        let timing = FakeTiming()
        let client = transport(endpoint, timing, policy: RetryPolicy(maximumAttempts: 5))
        let error = await #expect(throws: AWSError.self) {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        }
        #expect(error?.code == "ValidationException")
        #expect(error?.message == "bad key")
        #expect(endpoint.received.count == 1)
        #expect(timing.sleeps.isEmpty)
    }

    @Test func neverWaitsPastTheDeadline() async throws {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.throttled])
        let timing = FakeTiming(jitters: [1.0])
        let client = transport(
            endpoint, timing,
            policy: RetryPolicy(maximumAttempts: 10, baseDelay: .seconds(1), maximumDelay: .seconds(100)))
        let start = timing.now
        // The last attempt's timeout is what remains of the budget (3 s), ample even on a loaded machine.
        let deadline = start + .seconds(10)
        let error = await #expect(throws: AWSError.self) {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: deadline)
        }
        #expect(error?.code == .throttlingException)
        // 1 + 2 + 4 = 7 s fits; the next 8 s wait would end past 10 s, so it stops.
        #expect(timing.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
        #expect(endpoint.received.count == 4)
        #expect(timing.now < deadline)
    }

    @Test func aPassedDeadlineSendsNothing() async throws {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.ok])
        let timing = FakeTiming()
        let client = transport(endpoint, timing, policy: .default)
        let error = await #expect(throws: AWSTransportError.self) {
            let _: Empty = try await client.sendJSON(
                operation: "GetItem", input: Empty(), deadline: timing.now - .milliseconds(1))
        }
        guard case .deadlineExceeded(_, _, let attempts) = error else {
            Issue.record("expected deadlineExceeded, got \(String(describing: error))")
            return
        }
        #expect(attempts == 0)
        #expect(endpoint.received.isEmpty)
    }

    @Test func theDefaultTimeBudgetActsAsADeadline() async throws {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.internalError])
        let timing = FakeTiming(jitters: [1.0])
        let client = AWSTransport(
            service: testService, configuration: testConfiguration(endpoint: endpoint.url),
            options: .init(
                retryPolicy: RetryPolicy(maximumAttempts: 10, baseDelay: .seconds(1)), defaultTimeBudget: .seconds(5)),
            circuitBreakers: CircuitBreakerRegistry(configuration: .init(failureThreshold: 100)), timing: timing.timing)
        await #expect(throws: AWSError.self) {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        }
        // 1 + 2 s leave 2 s for the third attempt; the 4 s wait after it would pass 5 s.
        #expect(timing.sleeps == [.seconds(1), .seconds(2)])
    }
}

@Suite struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresFailsFastThenRecoversThroughAProbe() async throws {
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.internalError])
        let timing = FakeTiming()
        let breakers = CircuitBreakerRegistry(
            configuration: .init(failureThreshold: 3, coolDown: .seconds(10)), now: { timing.now })
        let client = AWSTransport(
            service: testService, configuration: testConfiguration(endpoint: endpoint.url),
            options: .init(retryPolicy: .none), circuitBreakers: breakers, timing: timing.timing)
        func call() async throws {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        }

        for _ in 1...3 { await #expect(throws: AWSError.self) { try await call() } }
        #expect(endpoint.received.count == 3)
        #expect(client.circuitBreaker.currentState == .open(until: timing.now + .seconds(10)))

        // Open: fails fast, the endpoint sees nothing.
        let error = await #expect(throws: AWSTransportError.self) { try await call() }
        guard case .circuitOpen(_, _, let failedEndpoint) = error else {
            Issue.record("expected circuitOpen, got \(String(describing: error))")
            return
        }
        #expect(failedEndpoint == endpoint.url)
        #expect(endpoint.received.count == 3)

        // After the cool-down one probe goes through; it fails, so the circuit opens again.
        timing.advance(.seconds(10))
        await #expect(throws: AWSError.self) { try await call() }
        #expect(endpoint.received.count == 4)
        await #expect(throws: AWSTransportError.self) { try await call() }
        #expect(endpoint.received.count == 4)

        // The endpoint recovers: the next probe succeeds and closes the circuit.
        endpoint.setScript([ScriptedEndpoint.ok])
        timing.advance(.seconds(10))
        try await call()
        try await call()
        #expect(endpoint.received.count == 6)
        #expect(client.circuitBreaker.currentState == .closed(consecutiveFailures: 0))
    }

    @Test func retriesWithinOneCallCountTowardsOpening() async throws {
        let endpoint = try ScriptedEndpoint([.dropConnection])
        let timing = FakeTiming(jitters: [0])
        let breakers = CircuitBreakerRegistry(
            configuration: .init(failureThreshold: 2, coolDown: .seconds(5)), now: { timing.now })
        let client = AWSTransport(
            service: testService, configuration: testConfiguration(endpoint: endpoint.url),
            options: .init(retryPolicy: RetryPolicy(maximumAttempts: 5)), circuitBreakers: breakers,
            timing: timing.timing)
        let error = await #expect(throws: AWSTransportError.self) {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        }
        // Two failed attempts opened the circuit; the third attempt failed fast instead of retrying.
        guard case .circuitOpen = error else {
            Issue.record("expected circuitOpen, got \(String(describing: error))")
            return
        }
        #expect(endpoint.received.count == 2)
    }

    @Test func answeredClientErrorsKeepTheCircuitClosed() {
        let breaker = CircuitBreaker(endpoint: "e", configuration: .init(failureThreshold: 2))
        breaker.recordFailure()
        breaker.recordSuccess()
        breaker.recordFailure()
        #expect(breaker.currentState == .closed(consecutiveFailures: 1))
        #expect(breaker.allowRequest())
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        let timing = FakeTiming()
        let breaker = CircuitBreaker(
            endpoint: "e", configuration: .init(failureThreshold: 1, coolDown: .seconds(1)), now: { timing.now })
        breaker.recordFailure()
        #expect(!breaker.allowRequest())
        timing.advance(.seconds(1))
        #expect(breaker.currentState == .halfOpen(probeInFlight: false))
        #expect(breaker.allowRequest())
        #expect(!breaker.allowRequest())
        #expect(breaker.currentState == .halfOpen(probeInFlight: true))
        breaker.recordSuccess()
        #expect(breaker.allowRequest())
    }

    @Test func eachEndpointHasItsOwnBreaker() {
        let registry = CircuitBreakerRegistry(configuration: .init(failureThreshold: 1))
        registry.breaker(for: "http://a").recordFailure()
        #expect(!registry.breaker(for: "http://a").allowRequest())
        #expect(registry.breaker(for: "http://b").allowRequest())
        #expect(registry.breaker(for: "http://a") === registry.breaker(for: "http://a"))
    }
}
