import LambdaHTTP
import LoopbackHTTP
import TestSupport
import Testing

@testable import AWSCore

@Suite struct LoggingTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN//////////wEaCXVzLWVhc3QtMSJH"

    @Test func traceLogsOfSignedCallsHoldNoSecret() async throws {
        // The endpoint echoes the security token in its error message, as AWS's
        // SignatureDoesNotMatch quotes the canonical request; then fails, then succeeds.
        let echo = ScriptedEndpoint.json(
            403,
            #"{"__type":"IncompleteSignatureException","message":"canonical request: x-amz-security-token:\#(Self.token) secret \#(Self.secret)"}"#
        )
        let endpoint = try ScriptedEndpoint([ScriptedEndpoint.internalError, ScriptedEndpoint.ok, echo])
        let capture = LogCapture()
        let timing = FakeTiming(jitters: [0])
        let client = AWSTransport(
            service: testService, configuration: testConfiguration(endpoint: endpoint.url, sessionToken: Self.token),
            options: .init(retryPolicy: RetryPolicy(maximumAttempts: 3)), timing: timing.timing,
            logger: capture.logger(level: .trace))

        let _: Empty = try await client.sendJSON(operation: "PutItem", input: Empty(), deadline: nil)
        let error = await #expect(throws: AWSError.self) {
            let _: Empty = try await client.sendJSON(operation: "GetItem", input: Empty(), deadline: nil)
        }

        // The secrets did travel: the token as a header, a signature computed from the key.
        let signatures = endpoint.received.compactMap {
            $0.headers["Authorization"]?.split(separator: "Signature=").last.map(String.init)
        }
        #expect(signatures.count == 3)
        #expect(endpoint.received.allSatisfy { $0.headers["X-Amz-Security-Token"] == Self.token })

        let logs = capture.all
        #expect(logs.contains { $0.hasPrefix("trace") }, "trace logging must be on for this test to mean anything")
        #expect(logs.contains { $0.contains("aws.error.code=IncompleteSignatureException") })
        for line in logs {
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.token))
            for signature in signatures { #expect(!line.contains(signature)) }
        }
        // Nor does the error a caller may log.
        let thrown = "\(String(describing: error)) \(String(decoding: error?.body ?? [], as: UTF8.self))"
        #expect(!thrown.contains(Self.token) && !thrown.contains(Self.secret))
        #expect(thrown.contains("<redacted>"))
    }
}
