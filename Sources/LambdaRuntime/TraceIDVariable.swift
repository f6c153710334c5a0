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
/// `@unchecked Sendable`: only the one poller that exports trace ids uses it, one invocation
/// at a time (with several pollers, none exports).
final class TraceIDVariable: @unchecked Sendable {
    private static let prefix = Array("_X_AMZN_TRACE_ID=".utf8)
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    /// Exports `traceID`, or removes the variable when there is none.
    func set(_ traceID: String?) {
        guard let traceID else {
            unsetenv("_X_AMZN_TRACE_ID")
            return
        }
        let value = Array(traceID.utf8)
        let needed = Self.prefix.count + value.count + 1
        if needed > capacity {
            // Room to spare, so that a slightly longer header (a Lineage field) reuses it.
            capacity = max(needed, 256)
            buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        }
        let buffer = buffer!
        for (offset, byte) in (Self.prefix + value).enumerated() { buffer[offset] = CChar(bitPattern: byte) }
        buffer[needed - 1] = 0
        // After an unset, or with a new buffer, the pointer must go back into the environment;
        // putenv with the pointer it already holds changes nothing.
        putenv(buffer)
    }
}
