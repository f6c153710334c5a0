import AWSCore
import LambdaHTTP
import LoopbackHTTP
import Synchronization

/// A loopback endpoint that plays an AWS service for the clients' unit tests: it answers from a
/// script, one reply per request, then repeats the last, and keeps every request it received.
public final class ScriptedEndpoint: Sendable {
    private final class Script: Sendable {
        let state: Mutex<(replies: [HTTPServerReply], received: [HTTPServerRequest])>
        init(_ replies: [HTTPServerReply]) { state = Mutex((replies, [])) }
    }

    public let server: LoopbackHTTPServer
    private let script: Script

    public init(_ replies: [HTTPServerReply]) throws {
        let script = Script(replies)
        self.script = script
        server = try LoopbackHTTPServer { request in
            script.state.withLock { state in
                state.received.append(request)
                return state.replies.count > 1 ? state.replies.removeFirst() : state.replies[0]
            }
        }
    }

    deinit { server.stop() }

    public var url: String { "http://\(server.authority)" }
    public var received: [HTTPServerRequest] { script.state.withLock { $0.received } }
    public func setScript(_ replies: [HTTPServerReply]) { script.state.withLock { $0.replies = replies } }

    public static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPServerReply {
        var headers = headers
        if !headers.contains("Content-Type") { headers.add("Content-Type", "application/x-amz-json-1.0") }
        headers.add("x-amzn-RequestId", "req-\(status)")
        return .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    public static let throttled = json(
        400, #"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}"#)
    public static let internalError = json(
        500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#)
    public static let ok = json(200, "{}")

    /// A query-protocol (SNS) answer.
    public static func xml(_ status: Int, _ body: String) -> HTTPServerReply {
        .response(HTTPResponse(status: status, headers: ["Content-Type": "text/xml"], body: Array(body.utf8)))
    }

    /// The configuration a client under test uses: this endpoint, and the AWS suite's example
    /// credentials (never real ones).
    public func configuration(region: String = "us-east-1", sessionToken: String? = nil) -> AWSConfiguration {
        testConfiguration(endpoint: url, region: region, sessionToken: sessionToken)
    }
}

/// A configuration for a local endpoint, with the AWS suite's example credentials.
public func testConfiguration(endpoint: String, region: String = "us-east-1", sessionToken: String? = nil)
    -> AWSConfiguration
{
    AWSConfiguration(
        region: region,
        credentials: AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: sessionToken),
        endpointURL: endpoint)
}
