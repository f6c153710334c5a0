#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `_X_AMZN_TRACE_ID`, set for each invocation as Lambda's runtimes export it, without
/// `setenv`: glibc keeps every value `setenv` ever replaced (old pointers handed out by
/// `getenv` must stay valid), so a warm process grew by about 150 bytes per invocation, one
/// trace header each (Benchmarks/Soak: 8 MB over 60,000 invocations). Here one buffer is given
/// to `putenv`, which keeps the pointer itself, and rewritten in place; it is replaced (and the
/// old one kept) only when a trace header is longer than any before.
///
/// `@unchecked Sendable`, and unchecked exclusivity: only the one poller that exports trace ids
/// uses it, one invocation at a time (with several pollers, none exports).
final class TraceIDVariable: @unchecked Sendable {
    private static let prefix = Array("_X_AMZN_TRACE_ID=".utf8)
    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<CChar>?
    @exclusivity(unchecked) private var capacity = 0

    /// Exports `traceID`, or removes the variable when there is none.
    func set(_ traceID: String?) {
        guard var traceID else {
            unsetenv("_X_AMZN_TRACE_ID")
            return
        }
        let needed = Self.prefix.count + traceID.utf8.count + 1
        if needed > capacity {
            // Room to spare, so that a slightly longer header (a Lineage field) reuses it.
            capacity = max(needed, 256)
            buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            Self.prefix.withUnsafeBytes {
                UnsafeMutableRawPointer(buffer!).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
        let variable = buffer!
        let value = UnsafeMutableRawPointer(variable + Self.prefix.count)
        traceID.withUTF8 { bytes in
            if let base = bytes.baseAddress { value.copyMemory(from: base, byteCount: bytes.count) }
        }
        variable[needed - 1] = 0
        // After an unset (by anyone), a setenv of the same name, or with a new buffer, the pointer
        // must go back into the environment. putenv walks it comparing every name, a fiftieth of
        // the runtime's CPU per invocation; looking for the pointer costs next to nothing.
        if !isExported(variable) { putenv(variable) }
    }

    private func isExported(_ variable: UnsafeMutablePointer<CChar>) -> Bool {
        var entry = environ
        while let pointer = entry.pointee {
            if pointer == variable { return true }
            entry += 1
        }
        return false
    }
}
