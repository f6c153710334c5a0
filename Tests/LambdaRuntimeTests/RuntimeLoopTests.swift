import LambdaHTTP
import Synchronization
import Testing

@testable import LambdaRuntime

/// Lambda's side of the Runtime API, in memory: a queue of invocations and a record of what
/// the loop reported, with failures on demand.
final class FakeRuntimeAPI: RuntimeAPI {
    enum Call: Equatable {
        case next
        case respond(String, [UInt8])
        case reportError(String, InvocationError)
        case reportInitError(InvocationError)
    }

    struct State {
        var invocations: [Invocation] = []
        var calls: [Call] = []
        var refuseReports: Set<String> = []
        var failReports = false
    }

    let state = Mutex(State())

    init(events: [[UInt8]]) {
        state.withLock { state in
            state.invocations = events.enumerated().map { index, event in
                Invocation(
                    requestID: "req-\(index)", deadlineMilliseconds: Int64.max / 2,
                    invokedFunctionARN: "arn:aws:lambda:x",
                    traceID: "Root=1-\(index)", clientContext: nil, cognitoIdentity: nil, event: event)
            }
        }
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func next() throws(RuntimeAPIError) -> Invocation {
        let next: Invocation? = state.withLock { state in
            state.calls.append(.next)
            return state.invocations.isEmpty ? nil : state.invocations.removeFirst()
        }
        guard let next else { throw .unreachable(.connectionFailed(url: "fake", reason: "no more events")) }
        return next
    }

    func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try record(.respond(requestID, body), requestID: requestID)
    }

    func reportError(requestID: String, _ error: InvocationError) throws(RuntimeAPIError) {
        try record(.reportError(requestID, error), requestID: requestID)
    }

    func reportInitError(_ error: InvocationError) throws(RuntimeAPIError) {
        try record(.reportInitError(error), requestID: nil)
    }

    private func record(_ call: Call, requestID: String?) throws(RuntimeAPIError) {
        let (refused, failed) = state.withLock { state in
            state.calls.append(call)
            return (requestID.map { state.refuseReports.contains($0) } ?? false, state.failReports)
        }
        if failed { throw .unreachable(.connectionFailed(url: "fake", reason: "reset")) }
        if refused {
            throw .unexpectedStatus(path: "/invocation/\(requestID!)/response", status: 413, body: "too large")
        }
    }
}

struct Refusal: LambdaReportableError, CustomStringConvertible {
    var errorType: String { "Order.Refused" }
    var description: String { "no stock" }
}

@Suite struct RuntimeLoopTests {
    func loop(_ api: FakeRuntimeAPI, logs: CapturedLines = CapturedLines()) -> RuntimeLoop {
        RuntimeLoop(
            api: api, environment: ["AWS_LAMBDA_FUNCTION_NAME": "f"],
            logHandler: LambdaLogHandler(environment: [:], sink: logs.sink), exportsTraceID: false)
    }

    let echo = RawClosureHandler { event, _ in event }

    @Test func eachEventIsAnsweredThenTheLoopStopsWhenTheAPIFails() async {
        let api = FakeRuntimeAPI(events: [[1], [2]])
        let stop = await loop(api).run(echo)
        #expect(api.calls == [.next, .respond("req-0", [1]), .next, .respond("req-1", [2]), .next])
        #expect(
            stop
                == .runtimeAPIFailed(
                    "the Runtime API is unreachable: \(HTTPClientError.connectionFailed(url: "fake", reason: "no more events"))"
                ))
    }

    @Test func aRefusedReportIsLoggedAndTheLoopGoesOn() async {
        let api = FakeRuntimeAPI(events: [[1], [2]])
        api.state.withLock { $0.refuseReports = ["req-0"] }
        let logs = CapturedLines()
        _ = await loop(api, logs: logs).run(echo)
        #expect(api.calls.filter { $0 != .next } == [.respond("req-0", [1]), .respond("req-1", [2])])
        #expect(logs.lines.contains { $0.contains("the Runtime API refused the report") && $0.contains("413") })
    }

    @Test func aReportThatCannotBeSentStopsTheLoop() async {
        let api = FakeRuntimeAPI(events: [[1], [2]])
        api.state.withLock { $0.failReports = true }
        let stop = await loop(api).run(echo)
        #expect(api.calls == [.next, .respond("req-0", [1])])
        guard case .runtimeAPIFailed = stop else {
            Issue.record("expected runtimeAPIFailed, got \(stop)")
            return
        }
    }

    @Test func anErrorChoosesItsTypeThroughTheProtocol() async {
        let api = FakeRuntimeAPI(events: [[1]])
        _ = await loop(api).run(RawClosureHandler { _, _ in throw Refusal() })
        #expect(api.calls[1] == .reportError("req-0", InvocationError(type: "Order.Refused", message: "no stock")))
    }

    @Test func initFailureIsReportedOnceAndStopsTheRuntime() async {
        let api = FakeRuntimeAPI(events: [[1]])
        do {
            _ = try await loop(api).initialize { _ -> RawClosureHandler in throw ConfigurationError("TABLE is not set")
            }
            Issue.record("init should have failed")
        } catch {
            let reported = InvocationError(type: "Runtime.ConfigurationError", message: "TABLE is not set")
            #expect(error == .initFailed(reported, reportFailure: nil))
            #expect(api.calls == [.reportInitError(reported)])
        }
    }

    @Test func initFailureThatCannotBeReportedSaysSo() async {
        let api = FakeRuntimeAPI(events: [])
        api.state.withLock { $0.failReports = true }
        do {
            _ = try await loop(api).initialize { _ -> RawClosureHandler in throw Refusal() }
        } catch {
            guard case .initFailed(let reported, let reportFailure?) = error else {
                Issue.record("expected an unreported init failure, got \(error)")
                return
            }
            #expect(reported.errorType == "Order.Refused")
            #expect(reportFailure.contains("reset"))
        }
    }

    @Test func theContextCarriesTheInvocationAndTheLogsItsIDs() async {
        let api = FakeRuntimeAPI(events: [[1]])
        let logs = CapturedLines()
        _ = await loop(api, logs: logs).run(
            RawClosureHandler { event, context in
                context.logger.info("handling")
                return Array(context.requestID.utf8) + Array((context.traceID ?? "").utf8)
            })
        #expect(api.calls[1] == .respond("req-0", Array("req-0Root=1-0".utf8)))
        #expect(logs.lines.contains { $0.contains("handling") && $0.contains("req-0") })
    }
}

/// Log lines in memory.
final class CapturedLines: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    var sink: LogSink { LogSink { [self] line in storage.withLock { $0.append(line) } } }
}
