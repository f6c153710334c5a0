import Foundation

/// A value reachable only while holding a lock, with a condition to wait on for it to change.
///
/// `Synchronization.Mutex` has no condition variable, and the emulator's threads must
/// block until an event arrives or an invocation ends. `@unchecked Sendable` is sound
/// because every access to `value` happens inside `condition.lock()`/`unlock()`.
final class ConditionGuarded<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        condition.lock()
        defer { condition.unlock() }
        return try body(&value)
    }

    /// Changes the value and wakes every waiter.
    func update<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&value)
    }

    /// Waits until `body` returns non-nil; `deadline(value)` says, each time the value
    /// changes, how long it may wait from there (nil for ever). Returns nil on timeout.
    func wait<Result>(
        deadline: (Value) -> ContinuousClock.Instant? = { _ in nil },
        until body: (inout Value) -> Result?
    ) -> Result? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = body(&value) { return result }
            if let limit = deadline(value) {
                let remaining = ContinuousClock.now.duration(to: limit)
                if remaining <= .zero { return nil }
                let (seconds, attoseconds) = remaining.components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            } else {
                condition.wait()
            }
        }
    }
}
