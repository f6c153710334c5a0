import Foundation
import LambdaEvents
import LambdaRuntime
import LambdaTesting
import Logging
import Testing

struct Order: Codable, Equatable {
    var id: String
    var quantity: Int
}

struct Receipt: Codable, Equatable {
    var orderID: String
    var total: Int
}

/// A synchronous handler: no `async` on `handle`.
struct SyncPricing: LambdaHandler {
    func handle(_ event: Order, context: LambdaContext) throws -> Receipt {
        guard event.quantity > 0 else { throw PricingError.emptyOrder(event.id) }
        return Receipt(orderID: event.id, total: event.quantity * 5)
    }
}

/// An asynchronous handler.
struct AsyncPricing: LambdaHandler {
    func handle(_ event: Order, context: LambdaContext) async throws -> Receipt {
        try await Task.sleep(for: .milliseconds(1))
        return Receipt(orderID: event.id, total: event.quantity * 7)
    }
}

enum PricingError: Error {
    case emptyOrder(String)
}

@Suite struct InvocationPipelineTests {
    @Test func syncAndAsyncHandlersDecodeHandleAndEncode() async throws {
        let sync = await LambdaTest.invoke(SyncPricing(), json: #"{"id":"o-1","quantity":3}"#)
        #expect(try sync.decode(as: Receipt.self) == Receipt(orderID: "o-1", total: 15))
        let async = try await LambdaTest.invoke(AsyncPricing(), encoding: Order(id: "o-2", quantity: 2))
        #expect(try async.decode(as: Receipt.self) == Receipt(orderID: "o-2", total: 14))
    }

    @Test func closureHandlerWorksLikeAType() async throws {
        let handler = ClosureHandler { (event: Order, _: LambdaContext) in Receipt(orderID: event.id, total: 0) }
        let outcome = await LambdaTest.invoke(handler, json: #"{"id":"o-3","quantity":1}"#)
        #expect(try outcome.decode(as: Receipt.self).orderID == "o-3")
    }

    @Test func undecodableEventNamesTheTypeAndThePath() async {
        let wrongType = await LambdaTest.invoke(SyncPricing(), json: #"{"id":"o-1","quantity":"three"}"#)
        #expect(wrongType.error?.errorType == "Runtime.UnmarshalError")
        #expect(wrongType.error?.errorMessage.contains("cannot decode the event as Order") == true)
        #expect(wrongType.error?.errorMessage.contains("at $.quantity") == true)

        let missing = await LambdaTest.invoke(SyncPricing(), json: #"{"id":"o-1"}"#)
        #expect(missing.error?.errorMessage.contains("at $.quantity: required key is missing") == true)

        let notJSON = await LambdaTest.invoke(SyncPricing(), json: "{")
        #expect(notJSON.error?.errorType == "Runtime.UnmarshalError")
    }

    /// Regression: at Foundation's depth limit the decoder trapped instead of throwing.
    @Test func nestingPastTheLimitIsAnUnmarshalErrorNamingTheOffset() async {
        let outcome = await LambdaTest.invoke(SyncPricing(), json: String(repeating: "[", count: 513))
        #expect(outcome.error?.errorType == "Runtime.UnmarshalError")
        #expect(
            outcome.error?.errorMessage.contains("at byte 500: arrays and objects nest deeper than 500 levels") == true)
        let braces = String(repeating: #"{"a":"#, count: 600)
        #expect(await LambdaTest.invoke(SyncPricing(), json: braces).error?.errorType == "Runtime.UnmarshalError")
        // Brackets inside strings are text, not nesting.
        let quoted = #"{"id":""# + String(repeating: "[", count: 2000) + #"","quantity":1}"#
        #expect(await LambdaTest.invoke(SyncPricing(), json: quoted).error == nil)
    }

    @Test func thrownErrorsBecomeTypeAndMessage() async {
        let outcome = await LambdaTest.invoke(SyncPricing(), json: #"{"id":"o-9","quantity":0}"#)
        #expect(outcome.error == InvocationError(type: "PricingError", message: #"emptyOrder("o-9")"#))
    }

    @Test func thrownInvocationErrorKeepsItsChosenType() async {
        let handler = ClosureHandler { (_: Order, _: LambdaContext) -> Receipt in
            throw InvocationError(type: "Order.Rejected", message: "out of stock")
        }
        let outcome = await LambdaTest.invoke(handler, json: #"{"id":"o","quantity":1}"#)
        #expect(outcome.error == InvocationError(type: "Order.Rejected", message: "out of stock"))
    }

    @Test func responseOverTheLimitIsRefusedBeforeLambdaSeesIt() async {
        let limit = LambdaLimits.maximumResponseSize
        // A JSON string of n characters encodes to n + 2 bytes.
        let atLimit = RawClosureHandler { _, _ in Array(repeating: UInt8(ascii: "x"), count: limit) }
        #expect(await LambdaTest.invoke(raw: atLimit, event: []).responseString?.count == limit)
        let overLimit = RawClosureHandler { _, _ in Array(repeating: UInt8(ascii: "x"), count: limit + 1) }
        let outcome = await LambdaTest.invoke(raw: overLimit, event: [])
        #expect(outcome.error?.errorType == "Function.ResponseSizeTooLarge")
        #expect(outcome.error?.errorMessage.contains("(\(limit + 1) bytes)") == true)
    }

    @Test func failuresAreLoggedWithTheRequestID() async throws {
        let logs = CapturedLogs()
        let context = LambdaContext.testing(requestID: "req-42", logs: logs)
        _ = await LambdaTest.invoke(SyncPricing(), json: #"{"id":"o","quantity":0}"#, context: context)
        let line = try #require(logs.jsonLines.first)
        #expect(line["level"] as? String == "ERROR")
        #expect(line["requestId"] as? String == "req-42")
        #expect(line["errorType"] as? String == "PricingError")
    }

    @Test func contextRemainingTimeCountsDownFromTheDeadline() {
        let context = LambdaContext.testing(timeout: .seconds(2))
        #expect(context.remainingTime > .milliseconds(1500))
        #expect(context.remainingTime <= .seconds(2))
        let expired = LambdaContext.testing(timeout: .seconds(-1))
        #expect(expired.remainingTime < .zero)
    }

    @Test func functionConfigurationComesFromLambdaVariables() {
        let configuration = FunctionConfiguration(environment: [
            "AWS_LAMBDA_FUNCTION_NAME": "orders",
            "AWS_LAMBDA_FUNCTION_VERSION": "7",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/23/[7]abc",
        ])
        #expect(
            configuration
                == FunctionConfiguration(
                    name: "orders", version: "7", memoryLimitInMB: 512, logGroupName: "/aws/lambda/orders",
                    logStreamName: "2026/11/23/[7]abc"))
    }

    @Test func reportedErrorBodiesDecodeLeniently() {
        let full = InvocationError(
            reported: Array(#"{"errorType":"ValueError","errorMessage":"bad","stackTrace":["a"]}"#.utf8),
            typeHeader: "Unhandled")
        #expect(full == InvocationError(type: "ValueError", message: "bad", stackTrace: ["a"]))
        let plain = InvocationError(reported: Array("segfault".utf8), typeHeader: "Runtime.Crash")
        #expect(plain == InvocationError(type: "Runtime.Crash", message: "segfault"))
    }
}

@Suite struct LambdaLogHandlerTests {
    func logger(_ handler: LambdaLogHandler) -> Logger {
        Logger(label: "test") { _ in handler }
    }

    @Test func jsonLinesCarryLambdaFieldsAndMetadata() throws {
        let logs = CapturedLogs()
        var handler = LambdaLogHandler(format: .json, level: .info, functionName: "orders", sink: logs.sink)
        handler.requestID = "r-1"
        handler.traceID = "Root=1-abc"
        var log = logger(handler)
        log[metadataKey: "correlationId"] = "evt-7"
        log.info("accepted \"order\"\nnext line", metadata: ["count": "3", "tags": ["a", "b"]])
        let line = try #require(logs.lines.first)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["level"] as? String == "INFO")
        #expect(fields["message"] as? String == "accepted \"order\"\nnext line")
        #expect(fields["requestId"] as? String == "r-1")
        #expect(fields["traceId"] as? String == "Root=1-abc")
        #expect(fields["functionName"] as? String == "orders")
        #expect(fields["correlationId"] as? String == "evt-7")
        #expect(fields["count"] as? String == "3")
        #expect(fields["tags"] as? [String] == ["a", "b"])
        let timestamp = try #require(fields["timestamp"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
        #expect(!line.contains("\n"), "one line per entry")
    }

    @Test func textLinesAreTabSeparatedAsLambdaPrintsThem() throws {
        let logs = CapturedLogs()
        var handler = LambdaLogHandler(format: .text, sink: logs.sink)
        handler.requestID = "r-2"
        logger(handler).warning("slow", metadata: ["ms": "900"])
        let parts = try #require(logs.lines.first).split(separator: "\t")
        #expect(parts.count == 4)
        #expect(parts[1] == "r-2")
        #expect(parts[2] == "WARN")
        #expect(parts[3] == "slow ms=900")
    }

    @Test(arguments: [
        ("TRACE", ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
        ("INFO", ["INFO", "WARN", "ERROR", "FATAL"]),
        ("WARN", ["WARN", "ERROR", "FATAL"]),
        ("ERROR", ["ERROR", "FATAL"]),
        ("FATAL", ["FATAL"]),
    ])
    func lambdaLogLevelFilters(level: String, shown: [String]) {
        let logs = CapturedLogs()
        let handler = LambdaLogHandler(
            environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": level], sink: logs.sink)
        let log = logger(handler)
        log.trace("t")
        log.debug("d")
        log.info("i")
        log.warning("w")
        log.error("e")
        log.critical("c")
        #expect(logs.jsonLines.compactMap { $0["level"] as? String } == shown)
    }

    @Test func formatDefaultsToTextAndLevelToInfo() {
        let handler = LambdaLogHandler(environment: [:])
        #expect(handler.format == .text)
        #expect(handler.logLevel == .info)
        #expect(LambdaLogHandler(environment: ["AWS_LAMBDA_LOG_FORMAT": "json"]).format == .json)
    }
}
