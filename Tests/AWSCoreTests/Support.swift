import Foundation
import LambdaHTTP
import Logging
import LoopbackHTTP
import Synchronization

@testable import AWSCore

/// A clock that moves only when the code under test sleeps, and records each sleep.
final class FakeTiming: Sendable {
    private let state: Mutex<(now: ContinuousClock.Instant, sleeps: [Duration], jitters: [Double])>

    init(jitters: [Double] = []) {
        state = Mutex((ContinuousClock.now, [], jitters))
    }

    var now: ContinuousClock.Instant { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    func advance(_ duration: Duration) { state.withLock { $0.now += duration } }

    /// Jitter values are served in order; the last one repeats (1.0, the upper bound, when none were given).
    var timing: RetryTiming {
        RetryTiming(
            now: { self.now },
            sleep: { duration in
                self.state.withLock {
                    $0.sleeps.append(duration)
                    $0.now += duration
                }
            },
            jitter: {
                self.state.withLock { state in
                    state.jitters.count > 1 ? state.jitters.removeFirst() : (state.jitters.first ?? 1.0)
                }
            })
    }
}

let testService = AWSService(
    name: "DynamoDB", signingName: "dynamodb", endpointPrefix: "dynamodb", environmentSuffix: "DYNAMODB",
    wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))

struct Empty: Codable, Equatable {}
