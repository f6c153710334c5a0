import Synchronization
import Testing

@testable import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ShutdownHooksTests {
    @Test func everyHookRunsConcurrentlyAndTheCallSaysTheyAreDone() {
        let hooks = ShutdownHooks()
        let ran = Mutex<[Int]>([])
        for index in 0..<3 {
            hooks.add {
                try? await Task.sleep(for: .milliseconds(150))
                ran.withLock { $0.append(index) }
            }
        }
        let started = ContinuousClock.now
        #expect(hooks.run(within: .seconds(2)))
        // Three 150 ms hooks one after another would take 450 ms.
        #expect(ContinuousClock.now - started < .milliseconds(400))
        #expect(ran.withLock { $0.sorted() } == [0, 1, 2])
    }

    /// A hook that overruns is left behind: the call returns at the budget, so that the process
    /// exits before Lambda kills it, and the hooks that finished have run.
    @Test func anOverrunningHookIsLeftBehindAtTheBudget() {
        let hooks = ShutdownHooks()
        let quick = Mutex(false)
        hooks.add { try? await Task.sleep(for: .seconds(5)) }
        hooks.add { quick.withLock { $0 = true } }
        let started = ContinuousClock.now
        #expect(!hooks.run(within: .milliseconds(200)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(2))
        #expect(quick.withLock { $0 })
    }

    /// A hook that blocks its thread does not hold up the others: each has a thread of its own.
    @Test func aHookThatBlocksItsThreadDoesNotHoldUpTheOthers() {
        let hooks = ShutdownHooks()
        let quick = Mutex(false)
        hooks.add { usleep(1_000_000) }
        hooks.add { quick.withLock { $0 = true } }
        #expect(!hooks.run(within: .milliseconds(300)))
        #expect(quick.withLock { $0 })
    }

    @Test func withoutHooksTheCallReturnsAtOnce() {
        let started = ContinuousClock.now
        #expect(ShutdownHooks().run(within: .seconds(1)))
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }
}
