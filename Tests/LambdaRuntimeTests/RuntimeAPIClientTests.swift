import LambdaHTTP
import LoopbackHTTP
import Synchronization
import Testing

@testable import LambdaRuntime

/// The Runtime API client over a real loopback HTTP server: `/next`'s fields are read in one pass
/// over the bytes received, and the reports go where Lambda expects them.
@Suite struct RuntimeAPIClientTests {
    /// A `/next` answer written byte for byte, as Lambda's would be.
    private func next(answering response: String) throws -> Result<Invocation, RuntimeAPIError> {
        let server = try LoopbackHTTPServer { _ in .raw(Array(response.utf8)) }
        defer { server.stop() }
        return Result { () throws(RuntimeAPIError) in try RuntimeAPIClient(endpoint: server.authority).next() }
    }

    @Test func nextReadsTheFieldsAsReceived() throws {
        let invocation = try next(
            answering: "HTTP/1.1 200 OK\r\n"
                + "lambda-runtime-aws-request-id: r-1\r\n"
                + "Lambda-Runtime-Deadline-Ms:1700000000000\r\n"
                + "LAMBDA-RUNTIME-INVOKED-FUNCTION-ARN: arn:aws:lambda:us-east-1:1:function:f \r\n"
                + "Lambda-Runtime-Trace-Id: Root=1-a;Parent=b;Sampled=1\r\n"
                + "Lambda-Runtime-Trace-Id: Root=1-second\r\n"
                + "Lambda-Runtime-Client-Context: {\"a\":\"b:c\"}\r\n"
                + "Lambda-Runtime-Aws-Tenant-Id: tenant-7\r\n"
                + "Lambda-Runtime-Aws-Request-Id-Extra: not-the-id\r\n"
                + "Content-Length: 7\r\n\r\n{\"k\":1}"
        ).get()
        #expect(invocation.requestID == "r-1")
        #expect(invocation.deadlineMilliseconds == 1_700_000_000_000)
        #expect(invocation.invokedFunctionARN == "arn:aws:lambda:us-east-1:1:function:f")
        #expect(invocation.traceID == "Root=1-a;Parent=b;Sampled=1", "the first of a repeated field")
        #expect(invocation.clientContext == #"{"a":"b:c"}"#)
        #expect(invocation.cognitoIdentity == nil)
        #expect(invocation.tenantID == "tenant-7")
        #expect(invocation.event == Array(#"{"k":1}"#.utf8))
    }

    @Test func nextWithoutARequestIDOrDeadlineIsAClearError() throws {
        let noID = try next(answering: "HTTP/1.1 200 OK\r\nLambda-Runtime-Deadline-Ms: 1\r\nContent-Length: 0\r\n\r\n")
        #expect(noID.failure?.description.contains("Lambda-Runtime-Aws-Request-Id") == true)
        let emptyID = try next(
            answering: "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id:\r\nLambda-Runtime-Deadline-Ms: 1\r\n"
                + "Content-Length: 0\r\n\r\n")
        #expect(emptyID.failure?.description.contains("Lambda-Runtime-Aws-Request-Id") == true)
        let badDeadline = try next(
            answering: "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r\r\nLambda-Runtime-Deadline-Ms: soon\r\n"
                + "Content-Length: 0\r\n\r\n")
        #expect(badDeadline.failure?.description.contains("Lambda-Runtime-Deadline-Ms") == true)
        let refused = try next(answering: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\ngone")
        guard case .unexpectedStatus(let path, let status, let body)? = refused.failure else {
            Issue.record("expected an unexpected status, got \(refused)")
            return
        }
        #expect(path == "/invocation/next" && status == 500 && body == "gone")
    }

    @Test func reportsGoWhereLambdaExpectsThem() throws {
        let seen = Mutex<[String]>([])
        let server = try LoopbackHTTPServer { request in
            let line =
                "\(request.method) \(request.target) \(request.headers["Content-Type"] ?? "-") "
                + "\(request.headers["Lambda-Runtime-Function-Error-Type"] ?? "-") "
                + String(decoding: request.body, as: UTF8.self)
            seen.withLock { $0.append(line) }
            return request.target.hasSuffix("/r-2/response") ? .status(413, "too large") : .status(202)
        }
        defer { server.stop() }
        let client = RuntimeAPIClient(endpoint: server.authority)
        try client.respond(requestID: "r-1", body: Array("[1]".utf8))
        try client.reportError(requestID: "r-1", InvocationError(type: "Order.Refused", message: "no"))
        try client.reportInitError(InvocationError(type: "Init.Failed", message: "boom"))
        #expect(throws: RuntimeAPIError.self) { try client.respond(requestID: "r-2", body: []) }
        let lines = seen.withLock { $0 }
        #expect(lines.count == 4)
        #expect(lines[0] == "POST /2018-06-01/runtime/invocation/r-1/response application/json - [1]")
        #expect(lines[1].hasPrefix("POST /2018-06-01/runtime/invocation/r-1/error application/json Order.Refused {"))
        #expect(lines[2].hasPrefix("POST /2018-06-01/runtime/init/error application/json Init.Failed {"))
        do {
            try client.respond(requestID: "r-2", body: [])
        } catch {
            guard case .unexpectedStatus(let path, let status, let body) = error else {
                Issue.record("expected an unexpected status, got \(error)")
                return
            }
            #expect(path == "/invocation/r-2/response" && status == 413 && body == "too large")
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
