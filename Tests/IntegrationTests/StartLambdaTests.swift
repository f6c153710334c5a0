import Foundation
import TestSupport
import Testing

/// `lambda-local start-lambda` as users drive it: AWS's own clients against its endpoint.
@Suite(.serialized) struct StartLambdaTests {
    let lambdaLocal = Products.path("lambda-local")

    func startLambda(_ functions: [String], extra: [String] = []) throws -> (BackgroundProcess, String) {
        let server = try BackgroundProcess(
            [lambdaLocal, "start-lambda"] + functions + ["--port", "0", "--build-path", Products.directory.path] + extra
        )
        let url = try #require(
            server.waitForMatch(#"Lambda Invoke API on (http://127\.0\.0\.1:\d+)"#),
            "start-lambda did not come up: \(server.output.text)")
        return (server, url)
    }

    @Test func boto3InvokesEachWayAndStreams() throws {
        let (server, url) = try startLambda(["echo", "faulty", "stream"])
        defer { server.stop() }
        let script = repositoryRoot.appendingPathComponent("Tests/IntegrationTests/Scripts/invoke_with_boto3.py").path
        let result = try run(["/usr/bin/env", "python3", script, url])
        try #require(result.status == 0, "boto3 script failed: \(result.stderr)\nserver: \(server.output.text)")
        let out = try #require(jsonObject(Array(result.stdout.utf8)))
        func call(_ name: String) -> [String: Any] { out[name] as? [String: Any] ?? [:] }

        let requestResponse = call("requestResponse")
        #expect(requestResponse["status"] as? Int == 200)
        #expect(requestResponse["version"] as? String == "$LATEST")
        #expect(requestResponse["functionError"] is NSNull)
        #expect((requestResponse["payload"] as? [String: Any])?["hello"] as? String == "world")
        #expect(call("byARN")["payload"] as? [Int] == [1, 2])

        #expect(call("event")["status"] as? Int == 202)
        #expect(server.output.waitFor(#"echo Event -> 202"#), "the asynchronous event never ran")
        #expect(call("dryRun")["status"] as? Int == 204)

        let tail = try #require(call("tail")["log"] as? String)
        #expect(tail.hasPrefix("START RequestId: "))
        #expect(tail.contains("a line to tail"))
        #expect(tail.contains("END RequestId: "))
        #expect(tail.contains("REPORT RequestId: "))

        let failed = call("functionError")
        #expect(failed["status"] as? Int == 200)
        #expect(failed["functionError"] as? String == "Unhandled")
        #expect((failed["payload"] as? [String: Any])?["errorMessage"] as? String == "bad input")

        let context = try #require(call("context")["payload"] as? [String: Any])
        #expect(context["tenantId"] as? String == "tenant-7")
        #expect((context["clientContext"] as? String)?.contains(#""custom""#) == true)

        let errors = try #require(out["errors"] as? [String: Any])
        let unknown = try #require(errors["unknown"] as? [String: Any])
        #expect(unknown["status"] as? Int == 404)
        #expect(unknown["code"] as? String == "ResourceNotFoundException")
        #expect(
            unknown["message"] as? String == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope")
        #expect((errors["otherVersion"] as? [String: Any])?["code"] as? String == "ResourceNotFoundException")
        #expect((errors["notJSON"] as? [String: Any])?["code"] as? String == "InvalidRequestContentException")
        let tooLarge = try #require(errors["tooLarge"] as? [String: Any])
        #expect(tooLarge["status"] as? Int == 413)
        #expect(tooLarge["code"] as? String == "RequestTooLargeException")

        let stream = call("stream")
        #expect(stream["status"] as? Int == 200)
        #expect(stream["chunks"] as? [String] == ["0000000\n", "1111111\n", "2222222\n", "3333333\n"])
        // 300 ms apart at the function, so they reached boto3 apart: streamed, not buffered.
        let arrivals = try #require(stream["arrivalsMs"] as? [Int])
        #expect(arrivals.count == 4 && arrivals[3] - arrivals[0] >= 600, "chunks arrived at \(arrivals) ms")
        #expect((stream["complete"] as? [String: Any])?.isEmpty == true)

        let failure = call("streamFailure")
        // The two chunks written before the failure (the wire may join them).
        #expect((failure["chunks"] as? [String])?.joined() == "000\n111\n")
        let complete = try #require(failure["complete"] as? [String: Any], "\(failure)")
        #expect(complete["ErrorCode"] as? String == "Stream.Failed")
        #expect((complete["ErrorDetails"] as? String)?.contains("after 2 chunks") == true)
        #expect((complete["LogResult"] as? String)?.contains("REPORT RequestId: ") == true)

        // A function that does not stream answers in one chunk.
        let whole = try #require(call("streamBuffered")["chunks"] as? [String])
        #expect(whole.count == 1)
        #expect(jsonObject(Array((whole.first ?? "").utf8))?["whole"] as? Bool == true)
    }

    @Test func concurrentCallsGetWarmProcessesOfTheirOwn() throws {
        let (server, url) = try startLambda(["faulty"])
        defer { server.stop() }
        let script = """
            import boto3, json, sys, concurrent.futures
            c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="x")
            def one(_):
                r = c.invoke(FunctionName="faulty", Payload=json.dumps({"faulty": {"sleepMs": 500, "context": True}}))
                return json.loads(r["Payload"].read())
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                first = list(pool.map(one, range(3)))
            second = list(map(one, range(2)))
            print(json.dumps({"first": first, "second": second}))
            """
        let result = try run(["/usr/bin/env", "python3", "-c", script, url])
        try #require(result.status == 0, "\(result.stderr)\nserver: \(server.output.text)")
        let out = try #require(jsonObject(Array(result.stdout.utf8)))
        let first = try #require(out["first"] as? [[String: Any]])
        let second = try #require(out["second"] as? [[String: Any]])
        // Three at once overlapped, so three processes ran them...
        let starts = first.compactMap { $0["startedNs"] as? Int }
        let answers = first.compactMap { $0["answeredNs"] as? Int }
        #expect(starts.count == 3 && starts.max()! < answers.min()!, "the three calls did not overlap")
        // ...and later calls reuse them warm: no process starts again.
        #expect(second.count == 2)
        let log = server.output.text
        #expect(log.components(separatedBy: "faulty RequestResponse -> 200").count - 1 == 5, "server log: \(log)")
        #expect(log.components(separatedBy: "(cold start").count - 1 == 3, "server log: \(log)")
    }

    /// The AWS CLI is in requirements-dev.txt, so the test command always has it.
    @Test func theAWSCLIInvokes() throws {
        let (server, url) = try startLambda(["echo"])
        defer { server.stop() }
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).json")
            .path
        defer { try? FileManager.default.removeItem(atPath: outFile) }
        let result = try run(
            [
                "/usr/bin/env", "aws", "lambda", "invoke", "--endpoint-url", url, "--region", "us-east-1",
                "--function-name", "echo", "--payload", #"{"from":"cli"}"#,
                "--log-type", "Tail", outFile,
            ],
            environment: ProcessInfo.processInfo.environment.merging(
                ["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"], uniquingKeysWith: { $1 }))
        try #require(result.status == 0, "aws lambda invoke failed: \(result.output)")
        let answer = try #require(jsonObject(Array(result.stdout.utf8)))
        #expect(answer["StatusCode"] as? Int == 200)
        #expect(answer["ExecutedVersion"] as? String == "$LATEST")
        #expect(answer["LogResult"] is String)
        let written = try #require(FileManager.default.contents(atPath: outFile))
        #expect(jsonObject(Array(written))?["from"] as? String == "cli")
    }
}
