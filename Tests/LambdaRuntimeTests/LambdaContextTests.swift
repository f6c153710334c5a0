import Logging
import Testing

@testable import LambdaRuntime

@Suite struct LambdaContextTests {
    /// One box holds every field, shared by copies: a change must reach only the copy changed.
    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = LambdaContext(
            requestID: "r-1", deadlineMilliseconds: 1_000, invokedFunctionARN: "arn:aws:lambda:us-east-1:1:function:f",
            traceID: "Root=1-a", tenantID: "t-1", function: FunctionConfiguration(name: "f"),
            logger: Logger(label: "test"))
        var copy = original
        copy.requestID = "r-2"
        copy.traceID = nil
        copy.tenantID = "t-2"
        copy.deadlineMilliseconds = 2_000
        copy.function.memoryLimitInMB = 1024
        copy.logger.logLevel = .trace
        #expect(copy.requestID == "r-2" && copy.traceID == nil && copy.tenantID == "t-2")
        #expect(copy.deadlineMilliseconds == 2_000 && copy.function.memoryLimitInMB == 1024)
        #expect(copy.logger.logLevel == .trace)
        #expect(original.requestID == "r-1" && original.traceID == "Root=1-a" && original.tenantID == "t-1")
        #expect(original.deadlineMilliseconds == 1_000 && original.function.memoryLimitInMB == 128)
        #expect(original.logger.logLevel != .trace)
        #expect(original.invokedFunctionARN == copy.invokedFunctionARN)
    }
}
