import Testing

@testable import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Serialized: the process environment is shared by every test.
@Suite(.serialized) struct TraceIDVariableTests {
    func exported() -> String? { getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } }

    @Test func setsReplacesAndUnsets() {
        let variable = TraceIDVariable()
        variable.set("Root=1-00000000-000000000000000000000001;Sampled=0")
        #expect(exported() == "Root=1-00000000-000000000000000000000001;Sampled=0")
        variable.set("Root=1-2")
        #expect(exported() == "Root=1-2")
        variable.set(nil)
        #expect(exported() == nil)
        let long = "Root=1-3;Lineage=" + String(repeating: "a", count: 600)
        variable.set(long)
        #expect(exported() == long)
        variable.set(nil)
    }

    /// Regression: setenv kept every replaced value, so a warm process grew by one trace header
    /// per invocation. Each new value must be written where the last one was: one string in the
    /// environment for 20,000 trace ids, not 20,000 strings.
    @Test func aNewValuePerInvocationReusesTheSameString() {
        let variable = TraceIDVariable()
        variable.set("Root=1-warm-up")
        let first = getenv("_X_AMZN_TRACE_ID")
        var places = Set<UnsafeMutablePointer<CChar>?>()
        for index in 0..<20_000 {
            variable.set("Root=1-5759e988-bd862e3fe1be46a9942\(index);Parent=53995c3f42cd8ad8;Sampled=1")
            places.insert(getenv("_X_AMZN_TRACE_ID"))
        }
        #expect(places == [first], "the value moved \(places.count) times")
        #expect(exported() == "Root=1-5759e988-bd862e3fe1be46a994219999;Parent=53995c3f42cd8ad8;Sampled=1")
        variable.set(nil)
    }

    /// The variable is put back only when the environment no longer holds it; someone else's
    /// setenv or unsetenv of the same name must not leave the next invocation's id unexported.
    @Test func aValueChangedFromOutsideIsExportedAgain() {
        let variable = TraceIDVariable()
        variable.set("Root=1-a")
        setenv("_X_AMZN_TRACE_ID", "set by the handler", 1)
        variable.set("Root=1-b")
        #expect(exported() == "Root=1-b")
        unsetenv("_X_AMZN_TRACE_ID")
        variable.set("Root=1-c")
        #expect(exported() == "Root=1-c")
        // Other variables set in between move the environment's array; the id stays.
        for index in 0..<64 { setenv("TRACE_ID_TEST_FILLER_\(index)", "x", 1) }
        variable.set("Root=1-d")
        #expect(exported() == "Root=1-d")
        for index in 0..<64 { unsetenv("TRACE_ID_TEST_FILLER_\(index)") }
        variable.set(nil)
    }
}
