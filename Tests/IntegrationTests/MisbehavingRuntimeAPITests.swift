import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

/// A real bootstrap (echo) against a Runtime API that misbehaves, served by the test itself:
/// each case ends in a clear stderr line and exit 1, so that Lambda restarts the environment,
/// never in a hang or a crash; a slow answer is simply waited for.
@Suite struct MisbehavingRuntimeAPITests {
    static let deadline = "\(Int64(Date().timeIntervalSince1970 * 1000) + 600_000)"

    /// Runs echo against `answerToNext` and returns its exit status and output.
    func run(answeringNext answerToNext: @escaping @Sendable () -> HTTPServerReply) throws -> (Int32?, String) {
        let server = try LoopbackHTTPServer { request in
            request.path.hasSuffix("/invocation/next") ? answerToNext() : .status(202, #"{"status":"OK"}"#)
        }
        defer { server.stop() }
        let bootstrap = try BackgroundProcess(
            [Products.path("echo")],
            environment: [
                "AWS_LAMBDA_RUNTIME_API": server.authority, "AWS_LAMBDA_FUNCTION_NAME": "echo",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/echo", "AWS_LAMBDA_LOG_STREAM_NAME": "s",
            ])
        defer { bootstrap.stop() }
        let status = bootstrap.waitForExit(within: 15)
        return (status, bootstrap.output.text)
    }

    @Test(arguments: [
        (
            "no request id",
            HTTPServerReply.response(
                HTTPResponse(status: 200, headers: ["Lambda-Runtime-Deadline-Ms": deadline], body: Array("{}".utf8))),
            "without the Lambda-Runtime-Aws-Request-Id header"
        ),
        (
            "no deadline",
            HTTPServerReply.response(
                HTTPResponse(status: 200, headers: ["Lambda-Runtime-Aws-Request-Id": "r-1"], body: Array("{}".utf8))),
            "without the Lambda-Runtime-Deadline-Ms header"
        ),
        (
            "a 500", HTTPServerReply.status(500, "internal failure"),
            "answered 500 to /invocation/next: internal failure"
        ),
        (
            "a truncated body",
            HTTPServerReply.raw(
                Array(
                    ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\nLambda-Runtime-Deadline-Ms: \(deadline)\r\n"
                        + "Content-Length: 100\r\n\r\n{\"cut\":").utf8)),
            "the Runtime API is unreachable"
        ),
        ("a reset mid-response", HTTPServerReply.dropConnection, "the Runtime API is unreachable"),
        ("a garbled status line", HTTPServerReply.raw(Array("HTTP/9 OK\r\n\r\n".utf8)), "the Runtime API"),
    ])
    func endsInAClearLineAndExitOne(what: String, reply: HTTPServerReply, expected: String) throws {
        let (status, output) = try run { reply }
        #expect(status == 1, "\(what): exit \(String(describing: status)), output: \(output)")
        #expect(output.contains("runtime stopped"), "\(what): \(output)")
        #expect(output.contains(expected), "\(what): \(output)")
        #expect(!output.contains("Fatal error") && !output.contains("crashed"), "\(what): \(output)")
    }

    /// Lambda freezes a process between events, so `/next` has no timeout: a slow answer is
    /// waited for and handled as any other.
    @Test func aSlowNextIsWaitedFor() throws {
        let calls = Mutex(0)
        // Written on the server's thread, read here after the process exits: nothing but this
        // lock orders the two, so it is one ThreadSanitizer sees (`Mutex`'s futex it does not).
        let responded = Guarded<[UInt8]?>(nil)
        let server = try LoopbackHTTPServer { request in
            if request.path.hasSuffix("/invocation/next") {
                let call = calls.withLock {
                    $0 += 1
                    return $0
                }
                if call == 1 {
                    Thread.sleep(forTimeInterval: 2)
                    return .response(
                        HTTPResponse(
                            status: 200,
                            headers: [
                                "Lambda-Runtime-Aws-Request-Id": "r-slow", "Lambda-Runtime-Deadline-Ms": Self.deadline,
                            ],
                            body: Array(#"{"slow":true}"#.utf8)))
                }
                return .status(500, "done")
            }
            if request.path.hasSuffix("/invocation/r-slow/response") { responded.update { $0 = request.body } }
            return .status(202, #"{"status":"OK"}"#)
        }
        defer { server.stop() }
        let bootstrap = try BackgroundProcess(
            [Products.path("echo")],
            environment: ["AWS_LAMBDA_RUNTIME_API": server.authority, "AWS_LAMBDA_FUNCTION_NAME": "echo"])
        defer { bootstrap.stop() }
        #expect(bootstrap.waitForExit(within: 15) == 1)
        let body = try #require(responded.update { $0 }, "no response was posted: \(bootstrap.output.text)")
        #expect(json(body)?["slow"] as? Bool == true)
    }
}
