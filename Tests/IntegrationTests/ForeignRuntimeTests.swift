import Foundation
import LambdaEmulator
import LambdaRuntime
import TestSupport
import Testing

/// AWS's own Python runtime interface client under the same emulator: the emulator speaks
/// the Runtime API as Lambda does, not merely as this kit's runtime expects.
@Suite struct AWSLambdaRICTests {
    func ricLambda(taskRoot: String) throws -> LocalLambda {
        try LocalLambda(
            configuration: LocalLambdaConfiguration(
                command: pythonRICCommand,
                functionName: "python-ric",
                timeout: .seconds(10),
                handler: "handler.handler",
                workingDirectory: taskRoot,
                functionOutput: LocalLambdaConfiguration.discard))
    }

    @Test func servesInvocationsAndErrors() throws {
        let lambda = try ricLambda(taskRoot: try pythonTaskRoot())
        defer { lambda.shutdown() }
        let report = lambda.invoke(json(#"{"order":42}"#))
        try #require(
            report.isSuccess,
            "awslambdaric failed: \(String(decoding: report.payload, as: UTF8.self)) — is it installed? (make test installs requirements-dev.txt)"
        )
        let body = try #require(json(report.payload))
        #expect(body["event"] as? NSDictionary == ["order": 42])
        #expect(body["requestId"] as? String == report.requestID)
        #expect(body["functionName"] as? String == "python-ric")
        #expect((body["remainingMs"] as? Int ?? 0) > 0)

        let failed = lambda.invoke(json(#"{"fail":"no such order"}"#))
        guard case .functionError(let error) = failed.result else {
            Issue.record("expected a function error, got \(failed.result)")
            return
        }
        #expect(error.errorType == "ValueError")
        #expect(error.errorMessage == "no such order")
        #expect(lambda.invoke(json(#"{"again":true}"#)).isSuccess)
    }

    @Test func emulatorRefusesAnOversizedResponseWith413() throws {
        // awslambdaric does not check the limit itself, so the emulator's 413 is what stops it.
        let lambda = try ricLambda(taskRoot: try pythonTaskRoot())
        defer { lambda.shutdown() }
        let report = lambda.invoke(json(#"{"big":7000000}"#))
        guard case .functionError(let error) = report.result else {
            Issue.record("expected a function error, got \(report.result)")
            return
        }
        #expect(error.errorType == "Function.ResponseSizeTooLarge")
    }
}

/// `lambda-local invoke` as a user runs it.
@Suite struct InvokeCommandTests {
    let lambdaLocal = Products.path("lambda-local")

    func eventFile(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("event-\(UUID().uuidString).json").path
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func printsTheResponseOnStdoutAndLambdaLinesOnStderr() throws {
        let result = try run([
            lambdaLocal, "invoke", "echo", try eventFile(#"{"id":"evt-1"}"#), "--build-path", Products.directory.path,
        ])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"id\":\"evt-1\"}\n")
        #expect(result.stderr.contains("START RequestId: "))
        #expect(result.stderr.contains("END RequestId: "))
        #expect(result.stderr.contains("REPORT RequestId: "))
        #expect(result.stderr.contains("Init Duration: "))
        #expect(result.stderr.contains("Memory Size: 128 MB"))
    }

    @Test func readsTheEventFromStandardInputAndRepeatsOnOneWarmProcess() throws {
        let result = try run(
            [
                lambdaLocal, "invoke", "echo", "-", "--repeat", "3", "--memory", "512", "--build-path",
                Products.directory.path,
            ],
            stdin: #"{"n":1}"#)
        #expect(result.status == 0)
        #expect(result.stdout == String(repeating: "{\"n\":1}\n", count: 3))
        #expect(result.stderr.components(separatedBy: "REPORT RequestId").count - 1 == 3)
        #expect(result.stderr.components(separatedBy: "Init Duration").count - 1 == 1)
        #expect(result.stderr.contains("Memory Size: 512 MB"))
    }

    @Test func functionErrorExitsNonZeroWithTheErrorOnStdout() throws {
        let result = try run([
            lambdaLocal, "invoke", "faulty", try eventFile(#"{"faulty":{"throw":"bad input"}}"#), "--build-path",
            Products.directory.path,
        ])
        #expect(result.status == 1)
        #expect(result.stdout == #"{"errorMessage":"bad input","errorType":"Failure","stackTrace":[]}"# + "\n")
    }

    @Test func timeoutIsReportedAsLambdaWordsIt() throws {
        let result = try run([
            lambdaLocal, "invoke", "faulty", try eventFile(#"{"faulty":{"sleepMs":5000}}"#), "--timeout", "1",
            "--build-path", Products.directory.path,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Task timed out after 1.00 seconds"))
        #expect(result.stdout.contains(#""errorType":"Sandbox.Timedout""#))
    }

    @Test func envOptionReachesTheFunction() throws {
        let result = try run([
            lambdaLocal, "invoke", "faulty", try eventFile("{}"), "--env", "FAULTY_FAIL_INIT=from --env",
            "--build-path", Products.directory.path,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains(#""errorMessage":"from --env""#))
    }

    @Test func tenantIDReachesTheContext() throws {
        let result = try run([
            lambdaLocal, "invoke", "faulty", try eventFile(#"{"faulty":{"context":true}}"#), "--tenant-id", "tenant-42",
            "--build-path", Products.directory.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(jsonObject(Array(result.stdout.utf8))?["tenantId"] as? String == "tenant-42")
    }

    @Test func aStreamedResponseIsPrintedAsItArrives() throws {
        let invocation = try BackgroundProcess([
            lambdaLocal, "invoke", "stream", try eventFile(#"{"chunks":3,"chunkBytes":4,"intervalMs":1500}"#),
            "--timeout", "10", "--build-path", Products.directory.path,
        ])
        defer { invocation.stop() }
        // The first chunk is out while the function still has 3 s of chunks to write.
        #expect(invocation.waitForMatch(#"(000\n)"#, within: 10) != nil)
        #expect(invocation.isRunning, "the first chunk was printed only at the end")
        #expect(invocation.waitForExit(within: 10) == 0)
        #expect(invocation.output.text.contains("000\n111\n222\n"))
    }

    @Test func maxConcurrencyFromEnvRunsTheRepeatsAtOnce() throws {
        let result = try run([
            lambdaLocal, "invoke", "faulty", try eventFile(#"{"faulty":{"sleepMs":1000,"context":true}}"#), "--repeat",
            "4", "--env", "AWS_LAMBDA_MAX_CONCURRENCY=4", "--timeout", "30", "--build-path", Products.directory.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let contexts = result.stdout.split(separator: "\n").compactMap { jsonObject(Array($0.utf8)) }
        try #require(contexts.count == 4, "\(result.stdout)")
        let starts = contexts.compactMap { $0["startedNs"] as? Int }
        let answers = contexts.compactMap { $0["answeredNs"] as? Int }
        #expect(starts.max()! < answers.min()!, "the four invocations did not overlap")
        #expect(result.stderr.components(separatedBy: "REPORT RequestId").count - 1 == 4)
    }

    @Test func missingBinaryIsAClearError() throws {
        let result = try run([lambdaLocal, "invoke", "no-such-function", "--build-path", Products.directory.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no built function 'no-such-function'"))
    }

    @Test func runsAWSLambdaRICThroughBootstrapOption() throws {
        let taskRoot = try pythonTaskRoot()
        let result = try run(
            [
                lambdaLocal, "invoke", "python-ric", "-", "--bootstrap", pythonRICCommand.joined(separator: " "),
                "--timeout", "10",
            ],
            stdin: #"{"from":"stdin"}"#,
            directory: taskRoot)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let body = try #require(json(json(result.stdout)))
        #expect(body["event"] as? NSDictionary == ["from": "stdin"])
        #expect(result.stderr.contains("REPORT RequestId: "))
    }
}
