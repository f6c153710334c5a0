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

    /// The runtime's context makes its logger from the invocation's log handler when a handler
    /// first asks: every line carries the invocation's ids, metadata set through the context stays
    /// on it, and a copy's change of logger leaves the original's alone.
    @Test func theRuntimesContextMakesItsLoggerOnDemand() {
        let lines = CapturedLines()
        let invocation = Invocation(
            requestID: "r-1", deadlineMilliseconds: 1_000, invokedFunctionARN: "arn:aws:lambda:us-east-1:1:function:f",
            traceID: "Root=1-a", event: [])
        var handler = LambdaLogHandler(functionName: "f", sink: lines.sink)
        handler.requestID = invocation.requestID
        handler.traceID = invocation.traceID
        var context = LambdaContext(invocation, function: FunctionConfiguration(name: "f"), logHandler: handler)
        let beforeAnyLogger = context
        context.logger[metadataKey: "order"] = "o-1"
        context.logger.info("first")
        var copy = context
        copy.logger.logLevel = .critical
        copy.logger.info("dropped")
        context.logger.info("second")
        beforeAnyLogger.logger.info("third")
        #expect(lines.lines.count == 3)
        #expect(lines.lines.allSatisfy { $0.contains("r-1") })
        #expect(lines.lines[0].contains("first") && lines.lines[0].contains("o-1"))
        #expect(lines.lines[1].contains("second") && lines.lines[1].contains("o-1"))
        #expect(lines.lines[2].contains("third") && !lines.lines[2].contains("o-1"))
    }
}
