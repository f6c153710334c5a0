import CSpawn
import Foundation
import LambdaHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// How a process ended, worded as Lambda words it in `Runtime.ExitError`.
public enum RuntimeExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        // The WIFEXITED/WEXITSTATUS macros do not import into Swift.
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(status & 0x7f)
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal: \(Self.signalName(signal))"
        }
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: "killed"
        case SIGTERM: "terminated"
        case SIGABRT: "aborted"
        case SIGSEGV: "segmentation fault"
        case SIGILL: "illegal instruction"
        case SIGTRAP: "trace/breakpoint trap"
        case SIGBUS: "bus error"
        default: "\(signal)"
        }
    }
}

public enum ChildProcessError: Error, CustomStringConvertible {
    case spawnFailed(command: [String], errno: Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let command, let code):
            "cannot start \(command.joined(separator: " ")): \(String(cString: strerror(code)))"
        }
    }
}

/// A bootstrap process in a process group of its own, so that a timeout kills a shell
/// script's children with it. Its stdout and stderr are forwarded as they arrive.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The read ends of stdout and stderr still open, and who may read them: a reader thread
    /// after poll(), or ``flushOutput()``, each draining under this lock, so that when a flush
    /// returns everything the process had written before it is delivered.
    /// (A pthread lock, `Guarded`: ThreadSanitizer cannot see `Synchronization.Mutex`.)
    private let pipes: Guarded<[Int32]>
    private let output: @Sendable ([UInt8]) -> Void

    init(
        arguments: [String],
        environment: [String: String],
        workingDirectory: String?,
        output: @escaping @Sendable ([UInt8]) -> Void,
        onExit: @escaping @Sendable (RuntimeExitStatus) -> Void
    ) throws {
        var stdoutPipe: [Int32] = [0, 0]
        var stderrPipe: [Int32] = [0, 0]
        guard cspawn_pipe_cloexec(&stdoutPipe) == 0, cspawn_pipe_cloexec(&stderrPipe) == 0 else {
            throw ChildProcessError.spawnFailed(command: arguments, errno: errno)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        if let workingDirectory {
            cspawn_addchdir(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var spawned: pid_t = 0
        let result = posix_spawnp(&spawned, arguments[0], &actions, &attributes, argv, envp)
        let pid = spawned
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard result == 0 else {
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw ChildProcessError.spawnFailed(command: arguments, errno: result)
        }
        self.pid = pid
        self.output = output
        for fd in [stdoutPipe[0], stderrPipe[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let pipes = Guarded([stdoutPipe[0], stderrPipe[0]])
        self.pipes = pipes

        for fd in [stdoutPipe[0], stderrPipe[0]] {
            let reader = Thread {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while true {
                    if poll(&descriptor, 1, -1) < 0, errno == EINTR { continue }
                    let open = pipes.update { open -> Bool in
                        guard Self.drain(fd, to: output) else {
                            close(fd)
                            open.removeAll { $0 == fd }
                            return false
                        }
                        return true
                    }
                    if !open { break }
                }
            }
            reader.name = "bootstrap-output"
            reader.start()
        }
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            onExit(RuntimeExitStatus(waitStatus: status))
        }
        waiter.name = "bootstrap-wait"
        waiter.start()
    }

    /// Reads what is waiting in a non-blocking pipe and delivers it; false at end of file.
    private static func drain(_ fd: Int32, to output: @Sendable ([UInt8]) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                output(Array(buffer[0..<count]))
                continue
            }
            if count < 0, errno == EINTR { continue }
            return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        }
    }

    /// Delivers everything the process has written so far. A line it wrote before answering an
    /// invocation is in the pipe by the time the answer arrives; after this, it has reached
    /// `output` (a log tail then holds it, however late the reader thread would have run).
    func flushOutput() {
        let output = self.output
        pipes.update { open in
            for fd in open { _ = Self.drain(fd, to: output) }
        }
    }

    /// Signals the whole process group.
    func kill(_ signal: Int32 = SIGKILL) {
        _ = Glibc.kill(-pid, signal)
    }

    /// User plus system CPU time the process has used so far (`/proc/PID/stat`).
    var cpuTime: Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .milliseconds((user + system) * 1000 / ticksPerSecond)
    }

    /// The peak resident set (`VmHWM`), in kilobytes, while the process lives.
    var peakResidentKilobytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(
                line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
