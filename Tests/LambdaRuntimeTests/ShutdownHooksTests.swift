import LambdaHTTP
import Testing

@testable import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

// The hooks run on threads of their own, and what they record is behind `Guarded`'s pthread
// mutex, not `Synchronization.Mutex`: ThreadSanitizer does not see `Mutex`'s futex (Swift 6.3 on
// Linux), and reported two appends under the lock as a race.
@Suite struct ShutdownHooksTests {
    @Test func everyHookRunsConcurrentlyAndTheCallSaysTheyAreDone() {
        let hooks = ShutdownHooks()
        let ran = Guarded<[Int]>([])
        for index in 0..<3 {
            // A blocking sleep: each hook has a thread of its own, so they still overlap. (A
            // Task.sleep would also wait for the cooperative pool's timer, which a test process
            // busy with other tests delays.)
            hooks.add {
                usleep(150_000)
                ran.update { $0.append(index) }
            }
        }
        let started = ContinuousClock.now
        #expect(hooks.run(within: .seconds(2)))
        // Three 150 ms hooks one after another would take 450 ms.
        #expect(ContinuousClock.now - started < .milliseconds(400))
        #expect(ran.update { $0.sorted() } == [0, 1, 2])
    }

    /// A hook that overruns, blocking its thread, is left behind: the call returns at the budget,
    /// so that the process exits before Lambda kills it, and the other hooks have run.
    @Test func anOverrunningHookIsLeftBehindAtTheBudget() {
        let hooks = ShutdownHooks()
        let quick = Guarded(false)
        hooks.add { usleep(1_500_000) }
        hooks.add { quick.update { $0 = true } }
        let started = ContinuousClock.now
        #expect(!hooks.run(within: .milliseconds(200)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(200) && elapsed < .milliseconds(1_400))
        #expect(quick.update { $0 })
    }

    @Test func withoutHooksTheCallReturnsAtOnce() {
        let started = ContinuousClock.now
        #expect(ShutdownHooks().run(within: .seconds(1)))
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }
}
