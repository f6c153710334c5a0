import Foundation
import LambdaEmulator
import LambdaRuntime
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The faulty bootstrap (echo that misbehaves on request) as a real process against the Runtime API emulator on loopback.
@Suite struct RuntimeIntegrationTests {
    @Test func successEchoesTheEventAndReportsInitOnlyOnce() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let first = lambda.invoke(json(#"{"hello":"world","n":[1,2.5,null,true]}"#))
        #expect(json(first.payload) == json(json(#"{"hello":"world","n":[1,2.5,null,true]}"#)))
        #expect(first.isSuccess)
        #expect(first.initDuration != nil)
        #expect(first.maxMemoryUsedMB ?? 0 > 0)
        #expect(first.reportLine.hasPrefix("REPORT RequestId: \(first.requestID)\tDuration: "))
        #expect(first.reportLine.contains("\tInit Duration: "))
        let second = lambda.invoke(json(#"{"again":1}"#))
        #expect(second.result == .response(json(#"{"again":1}"#)))
        #expect(second.initDuration == nil)
        #expect(!second.reportLine.contains("Init Duration"))
    }

    /// A function may name a proxy for its own calls; the Runtime API is on the sandbox's
    /// loopback and must never go through it (curl would read these variables for every request).
    @Test func theRuntimeAPIIsNeverReachedThroughAProxyFromTheEnvironment() throws {
        // A port nobody listens on: a request sent to the proxy would fail to connect.
        let closed = try LoopbackHTTPServer { _ in .status(200) }
        let proxy = "http://\(closed.authority)"
        closed.stop()
        let lambda = try faultyLambda(environment: [
            "http_proxy": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy, "all_proxy": proxy, "ALL_PROXY": proxy,
        ])
        defer { lambda.shutdown() }
        #expect(lambda.invoke(json(#"{"through":"no proxy"}"#)).result == .response(json(#"{"through":"no proxy"}"#)))
    }

    /// A process stopped with its `/next` on the way: the emulator read it only after the next
    /// process started, counted it as that process's (its init "ended"), and could hand it the
    /// event, lost with the dead connection (PackageBenchmark saw 20 s timeouts). A connection
    /// from before the start is dropped now, and the new process gets the event.
    @Test func aNextLeftFromAStoppedProcessIsDroppedAndTheEventReachesTheNewOne() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        guard case .ready = lambda.start() else {
            Issue.record("the first process did not start")
            return
        }
        // The stopped process's connection: made while it ran, used after its successor started.
        let stale = try RawConnection(authority: lambda.runtimeAPI)
        defer { stale.close() }
        lambda.stopProcess()
        guard case .ready = lambda.start() else {
            Issue.record("the second process did not start")
            return
        }
        stale.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n")
        #expect(stale.readsEndOfStream(within: .seconds(2)), "the stale /next should be dropped, not kept waiting")
        for index in 0..<5 {
            #expect(lambda.invoke(json(#"{"n":\#(index)}"#)).result == .response(json(#"{"n":\#(index)}"#)))
        }
    }

    @Test func contextCarriesTheRuntimeHeadersAndTheEnvironment() throws {
        let lambda = try faultyLambda(timeout: .seconds(5), memorySize: 256)
        defer { lambda.shutdown() }
        let report = lambda.invoke(
            json(#"{"faulty":{"context":true}}"#), clientContext: #"{"client":{"app":"x"}}"#,
            cognitoIdentity: #"{"identityId":"id-1"}"#)
        let context = try #require(json(report.payload))
        #expect(context["requestId"] as? String == report.requestID)
        #expect(context["invokedFunctionArn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:faulty")
        let traceID = try #require(context["traceId"] as? String)
        #expect(traceID.hasPrefix("Root=1-"))
        #expect(context["traceIdEnvironment"] as? String == traceID)
        #expect(context["clientContext"] as? String == #"{"client":{"app":"x"}}"#)
        #expect(context["cognitoIdentity"] as? String == #"{"identityId":"id-1"}"#)
        #expect(context["functionName"] as? String == "faulty")
        #expect(context["functionVersion"] as? String == "$LATEST")
        #expect(context["memoryLimitInMB"] as? Int == 256)
        #expect(context["logGroupName"] as? String == "/aws/lambda/faulty")
        #expect((context["logStreamName"] as? String)?.contains("[$LATEST]") == true)
        let remaining = try #require(context["remainingMs"] as? Int)
        #expect(remaining > 0 && remaining <= 5000)
        let deadline = try #require(context["deadlineMs"] as? Int)
        #expect(deadline > Int(Date().timeIntervalSince1970 * 1000) - 5000)
    }

    @Test func thrownErrorIsReportedWithBodyAndHeaderAndTheLoopGoesOn() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let failed = lambda.invoke(json(#"{"faulty":{"throw":"the order is gone"}}"#))
        #expect(failed.result == .functionError(InvocationError(type: "Failure", message: "the order is gone")))
        #expect(failed.errorTypeHeader == "Failure")
        #expect(json(failed.payload)?["errorMessage"] as? String == "the order is gone")
        let next = lambda.invoke(json(#"{"ok":true}"#))
        #expect(next.result == .response(json(#"{"ok":true}"#)))
        #expect(next.initDuration == nil, "the same process served the next invocation")
    }

    @Test func undecodableEventIsAnUnmarshalErrorAndTheLoopGoesOn() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let failed = lambda.invoke(json("this is not JSON"))
        guard case .functionError(let error) = failed.result else {
            Issue.record("expected a function error, got \(failed.result)")
            return
        }
        #expect(error.errorType == "Runtime.UnmarshalError")
        #expect(error.errorMessage.contains("cannot decode the event as JSONValue"))
        #expect(failed.errorTypeHeader == "Runtime.UnmarshalError")
        #expect(lambda.invoke(json("[1]")).result == .response(json("[1]")))
    }

    /// Regression: 513 unclosed `[` killed the bootstrap ("Illegal instruction" inside
    /// FoundationEssentials' error path at its depth limit) instead of answering. Every depth
    /// around the limit, closed or not, must be an answer from the same live process.
    @Test(arguments: [499, 500, 501, 512, 513, 514, 200_000])
    func deeplyNestedEventsAreAnswerNotACrash(depth: Int) throws {
        // Foundation's decoder takes seconds for 500 levels in a debug build on a busy machine.
        let lambda = try faultyLambda(timeout: .seconds(15))
        defer { lambda.shutdown() }
        let unclosed = lambda.invoke([UInt8](repeating: UInt8(ascii: "["), count: depth))
        guard case .functionError(let error) = unclosed.result else {
            Issue.record("depth \(depth): expected Runtime.UnmarshalError, got \(unclosed.result)")
            return
        }
        #expect(error.errorType == "Runtime.UnmarshalError")
        let closed =
            [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
        let answer = lambda.invoke(closed)
        if depth <= 500 {
            #expect(answer.result == .response(closed))
        } else {
            #expect(answer.errorTypeHeader == "Runtime.UnmarshalError")
        }
        #expect(lambda.invoke(json("[1]")).result == .response(json("[1]")))
        #expect(lambda.lastExitStatus == nil, "one process answered all three")
    }

    @Test func initFailureIsReportedAndTheProcessExitsNonZero() throws {
        let lambda = try faultyLambda(environment: ["FAULTY_FAIL_INIT": "TABLE_NAME is not set"])
        defer { lambda.shutdown() }
        let report = lambda.invoke(json("{}"))
        #expect(report.result == .initError(InvocationError(type: "InitFailure", message: "TABLE_NAME is not set")))
        #expect(lambda.lastExitStatus == .exited(1))
        #expect(json(report.payload)?["errorType"] as? String == "InitFailure")
    }

    @Test func timeoutKillsTheProcessAndTheNextInvocationStartsAfresh() throws {
        let lambda = try faultyLambda(timeout: .seconds(1))
        defer { lambda.shutdown() }
        let timedOut = lambda.invoke(json(#"{"faulty":{"sleepMs":20000}}"#))
        #expect(timedOut.result == .timedOut(.seconds(1)))
        #expect(
            json(timedOut.payload)?["errorMessage"] as? String
                == "RequestId: \(timedOut.requestID) Error: Task timed out after 1.00 seconds")
        #expect(lambda.lastExitStatus == .signaled(SIGKILL))
        let next = lambda.invoke(json(#"{"after":"timeout"}"#))
        #expect(next.result == .response(json(#"{"after":"timeout"}"#)))
        #expect(next.initDuration != nil, "a new process was started")
    }

    /// The chaos runs' kill: only a process with an invocation in flight is killed, that
    /// invocation ends as Runtime.ExitError (signal 9), and the next starts a new process.
    /// Synchronous on purpose: a polling loop that holds its thread is not starved when a
    /// loaded run (the sanitizers') keeps the cooperative pool busy with blocking invokes.
    @Test func killIfInvokingKillsOnlyABusyProcess() throws {
        let lambda = try faultyLambda(timeout: .seconds(60))
        defer { lambda.shutdown() }
        guard case .ready = lambda.start() else { throw CancellationError() }
        #expect(!lambda.killIfInvoking(), "an idle process was killed")
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<InvocationReport?>(nil)
        Thread {
            let report = lambda.invoke(json(#"{"faulty":{"sleepMs":30000}}"#))
            outcome.withLock { $0 = report }
            finished.signal()
        }.start()
        var killed = false
        let deadline = ContinuousClock.now + .seconds(30)
        while !killed, ContinuousClock.now < deadline {
            killed = lambda.killIfInvoking()
            if !killed { usleep(10_000) }
        }
        #expect(killed)
        finished.wait()
        let report = try #require(outcome.withLock { $0 })
        #expect(report.result == .runtimeExited(.signaled(SIGKILL)))
        #expect(json(report.payload)?["errorType"] as? String == "Runtime.ExitError")
        let next = lambda.invoke(json(#"{"after":"kill"}"#))
        #expect(next.result == .response(json(#"{"after":"kill"}"#)))
        #expect(next.initDuration != nil, "a new process was started")
    }

    @Test(arguments: [
        (#"{"faulty":{"crash":3}}"#, RuntimeExitStatus.exited(3), "exit status 3"),
        (#"{"faulty":{"crash":"abort"}}"#, RuntimeExitStatus.signaled(SIGABRT), "signal: aborted"),
    ])
    func crashIsARuntimeExitError(event: String, status: RuntimeExitStatus, wording: String) throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let crashed = lambda.invoke(json(event))
        #expect(crashed.result == .runtimeExited(status))
        let payload = try #require(json(crashed.payload))
        #expect(payload["errorType"] as? String == "Runtime.ExitError")
        #expect(
            payload["errorMessage"] as? String
                == "RequestId: \(crashed.requestID) Error: Runtime exited with error: \(wording)")
        #expect(crashed.reportLine.contains("Error Type: Runtime.ExitError"))
        #expect(lambda.invoke(json("{}")).result == .response(json("{}")))
    }

    @Test func responseOverSixMegabytesIsRefusedPrecisely() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let report = lambda.invoke(json(#"{"faulty":{"responseBytes":7000000}}"#))
        guard case .functionError(let error) = report.result else {
            Issue.record("expected a function error, got \(report.result)")
            return
        }
        #expect(error.errorType == "Function.ResponseSizeTooLarge")
        #expect(error.errorMessage.contains("7000002 bytes"))
        #expect(error.errorMessage.contains("6291556 bytes"))
        // Just under the limit still goes through, on the same warm process.
        let large = lambda.invoke(json(#"{"faulty":{"responseBytes":6000000}}"#))
        #expect(large.isSuccess)
        #expect(large.payload.count == 6_000_002)
        #expect(large.initDuration == nil)
    }

    @Test func aThousandWarmInvocationsOnOneProcess() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let filler = String(repeating: "a", count: 1000)
        var failures: [String] = []
        var coldStarts = 0
        for index in 0..<1000 {
            let event = json(#"{"i":\#(index),"pad":"\#(filler)"}"#)
            let report = lambda.invoke(event)
            if report.initDuration != nil { coldStarts += 1 }
            if !report.isSuccess || json(report.payload) != json(event) {
                failures.append("#\(index): \(String(decoding: report.payload.prefix(200), as: UTF8.self))")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(coldStarts == 1)
        #expect(lambda.lastExitStatus == nil, "the process never exited")
    }

    @Test func aWarmProcessOlderThanItsTimeoutsIsStillWaitedOnFromEachEvent() throws {
        // Regression: an event not yet picked up was timed from the process's start, so a
        // process older than initTimeout + timeout timed out the moment it was invoked.
        let lambda = try faultyLambda(timeout: .milliseconds(500), initTimeout: .milliseconds(100))
        defer { lambda.shutdown() }
        guard case .ready = lambda.start() else {
            Issue.record("the bootstrap did not start")
            return
        }
        Thread.sleep(forTimeInterval: 0.8)
        let results = (0..<50).map { lambda.invoke(json(#"{"i":\#($0)}"#)) }
        let failures = results.filter { !$0.isSuccess }.map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(lambda.lastExitStatus == nil)
    }

    @Test func jsonLogsCarryTheRequestIDAndLevelsFilter() throws {
        let output = OutputCapture()
        let lambda = try faultyLambda(logFormat: "JSON", output: output)
        defer { lambda.shutdown() }
        let report = lambda.invoke(json(#"{"faulty":{"log":"order accepted"}}"#))
        #expect(report.isSuccess)
        #expect(output.waitFor("order accepted"))
        let line = try #require(output.lines.first { $0.contains("order accepted") })
        let fields = try #require(json(json(line)))
        #expect(fields["level"] as? String == "INFO")
        #expect(fields["message"] as? String == "order accepted")
        #expect(fields["requestId"] as? String == report.requestID)
        #expect(fields["functionName"] as? String == "faulty")
        #expect((fields["traceId"] as? String)?.hasPrefix("Root=1-") == true)
        #expect((fields["timestamp"] as? String)?.hasSuffix("Z") == true)

        let quiet = OutputCapture()
        let filtered = try faultyLambda(logFormat: "JSON", logLevel: "ERROR", output: quiet)
        defer { filtered.shutdown() }
        #expect(filtered.invoke(json(#"{"faulty":{"log":"not shown"}}"#)).isSuccess)
        #expect(filtered.invoke(json(#"{"faulty":{"throw":"shown"}}"#)).result != .response([]))
        #expect(quiet.waitFor("shown"))
        #expect(!quiet.text.contains("not shown"))
    }

    @Test func unreachableRuntimeAPIIsAClearMessageAndANonZeroExit() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:1"
        let result = try run([Products.path("faulty")], environment: environment)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "the Runtime API is unreachable: cannot connect to http://127.0.0.1:1/2018-06-01/runtime/invocation/next"
            ))
    }

    @Test func runtimeAPIRefusesUnknownRequestIDs() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let response = try LambdaHTTPProbe.post(
            "http://\(lambda.runtimeAPI)/2018-06-01/runtime/invocation/no-such-id/response", body: "{}")
        #expect(response.status == 400)
        #expect(response.body.contains("InvalidRequestID"))
    }
}

/// A bare TCP connection, to send a request the way a process that is gone had sent it.
struct RawConnection {
    let fd: Int32

    init(authority: String) throws {
        let parts = authority.split(separator: ":")
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(parts[1])!).bigEndian
        address.sin_addr.s_addr = inet_addr(String(parts[0]))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CancellationError() }
    }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the peer closed the connection, without answering, within `timeout`.
    func readsEndOfStream(within timeout: Duration) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout.components.seconds * 1000)) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    func close() { _ = Glibc.close(fd) }
}
