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

    /// The header value an AWS call made now should carry, or nil: only inside Lambda (the
    /// SDKs' rule: `AWS_LAMBDA_FUNCTION_NAME` is set), and only when there is a trace.
    public static var outgoingHeader: String? {
        guard getenv("AWS_LAMBDA_FUNCTION_NAME") != nil else { return nil }
        let trace = traceHeader ?? getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
        guard let trace, !trace.isEmpty else { return nil }
        return encodedForHeader(trace)
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
