#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The X-Ray trace header of the invocation the current task serves, for every outgoing call to
/// carry (`X-Amzn-Trace-Id`), as the AWS SDKs' recursion-detection middleware does: Lambda's
/// recursive-loop detection and X-Ray's links need it.
///
/// A task-local first: with several invocations at once in one process (Lambda Managed
/// Instances) a process-wide variable would mix them up. `_X_AMZN_TRACE_ID` second, for handlers
/// that run their own tasks outside the invocation's.
public enum InvocationTrace {
    @TaskLocal public static var traceHeader: String?

    /// The trace of the invocation being served, or nil: the task's, which only the runtime sets;
    /// else `_X_AMZN_TRACE_ID`, but only inside Lambda (the SDKs' rule: `AWS_LAMBDA_FUNCTION_NAME`
    /// is set too).
    public static var current: String? {
        if let traceHeader, !traceHeader.isEmpty { return traceHeader }
        guard getenv("AWS_LAMBDA_FUNCTION_NAME") != nil, let variable = getenv("_X_AMZN_TRACE_ID") else { return nil }
        let trace = String(cString: variable)
        return trace.isEmpty ? nil : trace
    }

    /// What an AWS call made now carries as `X-Amzn-Trace-Id`, or nil.
    public static var outgoingHeader: String? {
        current.map(encodedForHeader)
    }

    /// Control characters and non-ASCII bytes percent-encoded, everything else as it is (the SDKs'
    /// shared specification): a header value must not carry them raw.
    static func encodedForHeader(_ trace: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in trace.utf8 {
            if byte < 0x20 || byte >= 0x7F {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
