import Dispatch
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
    /// whichever comes first: Lambda kills the process 500 ms after SIGTERM.
    public func run(within budget: Duration) async {
        let hooks = self.hooks.withLock { $0 }
        let done = Mutex(false)
        // Unstructured, so that a hook that overruns is left behind rather than waited for.
        Task {
            await withTaskGroup(of: Void.self) { group in
                for hook in hooks { group.addTask { await hook() } }
            }
            done.withLock { $0 = true }
        }
        let end = ContinuousClock.now + budget
        while !done.withLock({ $0 }), ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(5))
        }
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
            Task {
                await hooks.run(within: .milliseconds(400))
                exit(0)
            }
        }
        source.resume()
        return source
    }
}
