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

    /// The runtime's context makes its logger from the runtime's log handler when a handler first
    /// asks: every line carries the invocation's ids, metadata set through the context stays on
    /// it, and a copy's change of logger leaves the original's alone.
    @Test func theRuntimesContextMakesItsLoggerOnDemand() {
        let lines = CapturedLines()
        let invocation = Invocation(
            requestID: "r-1", deadlineMilliseconds: 1_000, invokedFunctionARN: "arn:aws:lambda:us-east-1:1:function:f",
            traceID: "Root=1-a", event: [])
        let defaults = InvocationDefaults(
            function: FunctionConfiguration(name: "f"),
            logHandler: LambdaLogHandler(format: .json, functionName: "f", sink: lines.sink))
        var context = LambdaContext(invocation, defaults: defaults)
        let beforeAnyLogger = context
        context.logger[metadataKey: "order"] = "o-1"
        context.logger.info("first")
        var copy = context
        copy.logger.logLevel = .critical
        copy.logger.info("dropped")
        context.logger.info("second")
        beforeAnyLogger.logger.info("third")
        #expect(lines.lines.count == 3)
        #expect(lines.lines.allSatisfy { $0.contains(#""requestId":"r-1""#) && $0.contains("Root=1-a") })
        #expect(context.function.name == "f" && copy.function.name == "f")
        #expect(lines.lines[0].contains("first") && lines.lines[0].contains("o-1"))
        #expect(lines.lines[1].contains("second") && lines.lines[1].contains("o-1"))
        #expect(lines.lines[2].contains("third") && !lines.lines[2].contains("o-1"))
    }
}
