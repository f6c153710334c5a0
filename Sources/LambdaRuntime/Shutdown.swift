import Dispatch
import LambdaHTTP
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the init phase registered to run when Lambda stops the execution environment.
public final class ShutdownHooks: Sendable {
    private let hooks = Mutex<[@Sendable () async -> Void]>([])

    public init() {}

    public func add(_ hook: @escaping @Sendable () async -> Void) {
        hooks.withLock { $0.append(hook) }
    }

    public var isEmpty: Bool { hooks.withLock { $0.isEmpty } }

    /// Runs every hook concurrently and returns when they are done or `budget` has passed,
    /// whichever comes first (Lambda kills the process 500 ms after SIGTERM); says whether they
    /// were all done. Blocks the calling thread.
    ///
    /// Each hook runs on a thread of its own, never on the cooperative pool's: with one CPU that
    /// pool has one thread, and between invocations it is blocked in `/next`, so hooks scheduled
    /// there never ran and Lambda killed the process with nothing flushed.
    @discardableResult
    public func run(within budget: Duration) -> Bool {
        let hooks = self.hooks.withLock { $0 }
        let finished = DispatchSemaphore(value: 0)
        let label = "lambda-runtime-shutdown"
        // Unstructured, so that a hook that overruns is left behind rather than waited for.
        Task(executorPreference: QueueTaskExecutor(label: label)) {
            await withTaskGroup(of: Void.self) { group in
                for (index, hook) in hooks.enumerated() {
                    group.addTask(executorPreference: QueueTaskExecutor(label: "\(label)-hook-\(index)")) {
                        await hook()
                    }
                }
            }
            finished.signal()
        }
        return finished.wait(timeout: .now() + .milliseconds(budget.milliseconds)) == .success
    }
}

/// Runs the jobs of the tasks that prefer it on a serial queue, which libdispatch gives a thread
/// of its own at once, whatever the cooperative pool is doing.
final class QueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Lambda's shutdown signal, turned into the hooks and an exit.
enum GracefulShutdown {
    /// Registers the internal extension that makes Lambda send SIGTERM, parks a thread in its
    /// event long-poll as the Extensions API requires, and on SIGTERM runs `hooks` then exits 0.
    /// Returns the signal source, which must stay alive.
    static func install(hooks: ShutdownHooks, api: any RuntimeAPI, eventAPI: any RuntimeAPI) throws(RuntimeAPIError)
        -> DispatchSourceSignal
    {
        let identifier = try api.registerExtension(name: "swift-lambda-kit-shutdown")
        BlockingCalls.runLong {
            // Never returns while Lambda runs: no event was subscribed to.
            try? eventAPI.nextExtensionEvent(identifier: identifier)
        }
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(
            signal: SIGTERM, queue: DispatchQueue(label: "lambda-runtime-sigterm"))
        source.setEventHandler {
            // On the signal queue's thread, which waits here: the hooks have threads of their own.
            hooks.run(within: .milliseconds(400))
            exit(0)
        }
        source.resume()
        return source
    }
}
