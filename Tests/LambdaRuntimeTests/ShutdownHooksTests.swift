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
            // A blocking sleep: each hook has a thread of its own, so they still overlap. (A
            // Task.sleep would also wait for the cooperative pool's timer, which a test process
            // busy with other tests delays.)
            hooks.add {
                usleep(150_000)
                ran.withLock { $0.append(index) }
            }
        }
        let started = ContinuousClock.now
        #expect(hooks.run(within: .seconds(2)))
        // Three 150 ms hooks one after another would take 450 ms.
        #expect(ContinuousClock.now - started < .milliseconds(400))
        #expect(ran.withLock { $0.sorted() } == [0, 1, 2])
    }

    /// A hook that overruns, blocking its thread, is left behind: the call returns at the budget,
    /// so that the process exits before Lambda kills it, and the other hooks have run.
    @Test func anOverrunningHookIsLeftBehindAtTheBudget() {
        let hooks = ShutdownHooks()
        let quick = Mutex(false)
        hooks.add { usleep(1_500_000) }
        hooks.add { quick.withLock { $0 = true } }
        let started = ContinuousClock.now
        #expect(!hooks.run(within: .milliseconds(200)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(200) && elapsed < .milliseconds(1_400))
        #expect(quick.withLock { $0 })
    }

    @Test func withoutHooksTheCallReturnsAtOnce() {
        let started = ContinuousClock.now
        #expect(ShutdownHooks().run(within: .seconds(1)))
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }
}
