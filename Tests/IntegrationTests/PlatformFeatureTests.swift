import Foundation
import LambdaEmulator
import LambdaHTTP
import LambdaRuntime
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The 2026 platform features, each through a real bootstrap under the emulator.
@Suite struct ResponseStreamingTests {
    final class Arrivals: Sendable {
        let chunks = Mutex<[(ContinuousClock.Instant, Int)]>([])
        var observer: @Sendable ([UInt8]) -> Void {
            { [self] chunk in chunks.withLock { $0.append((.now, chunk.count)) } }
        }
    }

    @Test func chunksArriveWhileTheHandlerIsStillRunning() throws {
        let lambda = try faultyLambda(product: "stream", timeout: .seconds(10))
        defer { lambda.shutdown() }
        let arrivals = Arrivals()
        let started = ContinuousClock.now
        let report = lambda.invoke(
            Array(#"{"chunks":5,"chunkBytes":64,"intervalMs":200}"#.utf8), onChunk: arrivals.observer)
        let finished = ContinuousClock.now
        #expect(report.isSuccess, "\(String(decoding: report.payload, as: UTF8.self))")
        let times = arrivals.chunks.withLock { $0.map(\.0) }
        #expect(times.count == 5)
        // The first chunk came about 800 ms before the last: it was not held back until the end.
        if let first = times.first, let last = times.last {
            #expect(last - first >= .milliseconds(700), "chunks arrived \(last - first) apart")
            #expect(finished - first >= .milliseconds(700))
        }
        let ttfb = try #require(report.timeToFirstByte)
        #expect(ttfb < finished - started - .milliseconds(500))
        #expect(report.streamedBody?.count == 5 * 64)
        #expect(
            String(decoding: report.streamedBody ?? [], as: UTF8.self).hasPrefix(
                String(repeating: "0", count: 63) + "\n"))
    }

    @Test func twentyMegabytesStreamPastTheBufferedLimit() throws {
        let lambda = try faultyLambda(product: "stream", timeout: .seconds(30))
        defer { lambda.shutdown() }
        let arrivals = Arrivals()
        let report = lambda.invoke(Array(#"{"chunks":20,"chunkBytes":1048576}"#.utf8), onChunk: arrivals.observer)
        #expect(report.isSuccess, "\(String(decoding: report.payload.prefix(500), as: UTF8.self))")
        #expect(report.streamedBody?.count == 20 << 20)
        #expect(arrivals.chunks.withLock { $0.reduce(0) { $0 + $1.1 } } == 20 << 20)
    }

    @Test func aFailureAfterTheFirstByteTravelsInTheTrailers() throws {
        let lambda = try faultyLambda(product: "stream")
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array(#"{"chunks":5,"chunkBytes":10,"failAfter":2}"#.utf8))
        #expect(
            report.result
                == .functionError(InvocationError(type: "Stream.Failed", message: "failed on purpose after 2 chunks")))
        #expect(report.errorTypeHeader == "Stream.Failed")
        #expect(report.streamedBody?.count == 20, "the two chunks before the failure reached the caller")
        // The process lives on.
        #expect(lambda.invoke(Array(#"{"chunks":1}"#.utf8)).isSuccess)
    }

    /// Regression: libcurl keeps a handle's trailers marked as sent, so on a reused handle the
    /// second failure lost its trailers (reported as a success) and the third corrupted the heap.
    @Test func everyFailureOnAWarmProcessTravelsInItsTrailers() throws {
        let lambda = try faultyLambda(product: "stream")
        defer { lambda.shutdown() }
        for attempt in 1...4 {
            let report = lambda.invoke(Array(#"{"chunks":5,"chunkBytes":10,"failAfter":2}"#.utf8))
            #expect(report.errorTypeHeader == "Stream.Failed", "attempt \(attempt): \(report.result)")
        }
        #expect(lambda.invoke(Array(#"{"chunks":1}"#.utf8)).isSuccess)
        #expect(lambda.lastExitStatus == nil, "the process crashed: \(String(describing: lambda.lastExitStatus))")
    }

    @Test func aFailureBeforeTheFirstByteIsAnOrdinaryError() throws {
        let lambda = try faultyLambda(product: "stream")
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array(#"{"chunks":3,"failAfter":0}"#.utf8))
        #expect(
            report.result
                == .functionError(InvocationError(type: "Stream.Failed", message: "failed on purpose after 0 chunks")))
        #expect(report.streamedBody == nil, "reported through /error, not a stream")
    }

    @Test func theHTTPIntegrationPreludeComesFirst() throws {
        let lambda = try faultyLambda(product: "stream")
        defer { lambda.shutdown() }
        let body = try #require(lambda.invoke(Array(#"{"chunks":1,"chunkBytes":4,"http":true}"#.utf8)).streamedBody)
        let nul = try #require(body.firstIndex(of: 0))
        #expect(
            String(decoding: body[..<nul], as: UTF8.self)
                == #"{"statusCode":200,"headers":{"content-type":"text/plain"},"cookies":[]}"#)
        #expect(Array(body[nul..<(nul + 8)]) == [UInt8](repeating: 0, count: 8))
        #expect(Array(body[(nul + 8)...]) == Array("000\n".utf8))
    }
}

@Suite struct BackgroundWorkTests {
    @Test func theNextEventWaitsForTheWorkAfterTheResponse() throws {
        let output = OutputCapture()
        let lambda = try faultyLambda(product: "background", timeout: .seconds(5), output: output)
        defer { lambda.shutdown() }
        let first = lambda.invoke(Array(#"{"workMs":400}"#.utf8))
        #expect(json(first.payload)?["accepted"] as? Bool == true)
        // The answer came before the work ended.
        #expect(first.duration < .milliseconds(300), "answered after \(first.duration)")
        let second = lambda.invoke(Array(#"{"workMs":0}"#.utf8))
        #expect(second.isSuccess)
        #expect(output.waitFor("background done \(second.requestID)"))
        let lines = output.lines
        let firstDone = try #require(lines.firstIndex { $0.contains("background done \(first.requestID)") })
        let secondStart = try #require(lines.firstIndex { $0.contains("handling \(second.requestID)") })
        #expect(firstDone < secondStart, "the second event was handed over before the first's work ended")
    }
}

@Suite struct ManagedInstancesTests {
    @Test func fourInvocationsRunAtOnceEachWithItsOwnTrace() async throws {
        let lambda = try faultyLambda(timeout: .seconds(30), environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "4"])
        defer { lambda.shutdown() }
        guard case .ready = lambda.start() else {
            Issue.record("no init")
            return
        }
        let started = ContinuousClock.now
        // Threads, not tasks: each invoke blocks until its answer, and the cooperative pool has
        // as many threads as cores. They meet only at this lock: `Guarded`, which ThreadSanitizer
        // sees, not `Mutex`, whose futex it does not.
        let reports = Guarded<[(String, InvocationReport)]>([])
        let threads = (0..<4).map { index in
            let trace = "Root=1-00000000-00000000000000000000000\(index);Parent=000000000000000\(index);Sampled=1"
            return Thread {
                let report = lambda.invoke(Array(#"{"faulty":{"sleepMs":1000,"context":true}}"#.utf8), traceID: trace)
                reports.update { $0.append((trace, report)) }
            }
        }
        for thread in threads { thread.start() }
        while reports.update({ $0.count }) < 4, ContinuousClock.now - started < .seconds(40) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let contexts = try reports.update { $0 }.map { try #require(json($1.payload)) }
        try #require(contexts.count == 4, "not every invocation answered within 40 s")
        // Overlap, read from the handler's own clock rather than timed from here: every handler
        // started before any answered, which one-at-a-time handling cannot do.
        let lastStart = try #require(contexts.compactMap { $0["startedNs"] as? Int }.max())
        let firstAnswer = try #require(contexts.compactMap { $0["answeredNs"] as? Int }.min())
        #expect(lastStart < firstAnswer, "an invocation started only after another answered: they did not overlap")
        for (trace, report) in reports.update({ $0 }) {
            let context = try #require(json(report.payload))
            #expect(context["traceId"] as? String == trace)
            #expect(context["traceIdEnvironment"] is NSNull, "no process-wide _X_AMZN_TRACE_ID under concurrency")
        }
        #expect(lambda.lastExitStatus == nil)
    }

    @Test func withoutTheVariableTheTraceIsAlsoExported() throws {
        let lambda = try faultyLambda()
        defer { lambda.shutdown() }
        let context = try #require(json(lambda.invoke(Array(#"{"faulty":{"context":true}}"#.utf8)).payload))
        #expect(context["traceIdEnvironment"] as? String == context["traceId"] as? String)
    }
}

@Suite struct TenantTests {
    @Test func theTenantIsInTheContextAndEveryJSONLogLine() throws {
        let output = OutputCapture()
        let lambda = try faultyLambda(logFormat: "JSON", output: output)
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array(#"{"faulty":{"context":true,"log":"tenant line"}}"#.utf8), tenantID: "blue-42")
        #expect(json(report.payload)?["tenantId"] as? String == "blue-42")
        #expect(output.waitFor("tenant line"))
        let line = try #require(output.lines.first { $0.contains("tenant line") })
        let fields = try #require(json(Array(line.utf8)))
        #expect(fields["tenantId"] as? String == "blue-42")
        #expect(fields["requestId"] as? String == report.requestID)
        let untenanted = lambda.invoke(Array(#"{"faulty":{"context":true}}"#.utf8))
        #expect(json(untenanted.payload)?["tenantId"] is NSNull)
    }
}

@Suite struct GracefulShutdownTests {
    @Test func sigtermRunsTheHookAndTheProcessExitsZero() throws {
        let output = OutputCapture()
        let lambda = try faultyLambda(product: "echo", output: output)
        let report = lambda.invoke(Array(#"{"a":1}"#.utf8))
        #expect(report.isSuccess)
        let started = ContinuousClock.now
        lambda.shutdown(gracePeriod: .milliseconds(500))
        #expect(ContinuousClock.now - started < .milliseconds(500), "exited within the shutdown phase")
        #expect(lambda.lastExitStatus == .exited(0))
        #expect(output.waitFor("shutdown"), "\(output.text)")
    }

    /// With one CPU the cooperative pool has one thread, blocked in `/next` between invocations:
    /// hooks scheduled on it never ran, and Lambda killed the process with nothing flushed.
    @Test func sigtermRunsTheHookWithOneCPU() throws {
        let output = OutputCapture()
        let lambda = try faultyLambda(product: "echo", launcher: ["taskset", "--cpu-list", "0"], output: output)
        #expect(lambda.invoke(Array(#"{"a":1}"#.utf8)).isSuccess)
        // A longer grace than Lambda's 500 ms: this is about the hook getting a thread at all
        // (without one the process never exits), and a sanitizer build on one CPU spends longer
        // in exit(0) than that; the 500 ms budget has the test above.
        lambda.shutdown(gracePeriod: .seconds(5))
        #expect(lambda.lastExitStatus == .exited(0))
        #expect(output.waitFor("shutdown"), "\(output.text)")
    }

    @Test func withoutAnExtensionLambdaKillsAtOnce() throws {
        let lambda = try faultyLambda()
        _ = lambda.invoke(Array("{}".utf8))
        lambda.shutdown(gracePeriod: .milliseconds(500))
        #expect(lambda.lastExitStatus == .signaled(SIGKILL))
    }
}
