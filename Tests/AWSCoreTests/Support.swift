import Foundation
import LambdaHTTP
import Logging
import LoopbackHTTP
import Synchronization

@testable import AWSCore

/// A clock that moves only when the code under test sleeps, and records each sleep.
final class FakeTiming: Sendable {
    private let state: Mutex<(now: ContinuousClock.Instant, sleeps: [Duration], jitters: [Double])>

    init(jitters: [Double] = []) {
        state = Mutex((ContinuousClock.now, [], jitters))
    }

    var now: ContinuousClock.Instant { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    func advance(_ duration: Duration) { state.withLock { $0.now += duration } }

    /// Jitter values are served in order; the last one repeats (1.0, the upper bound, when none were given).
    var timing: RetryTiming {
        RetryTiming(
            now: { self.now },
            sleep: { duration in
                self.state.withLock {
                    $0.sleeps.append(duration)
                    $0.now += duration
                }
            },
            jitter: {
                self.state.withLock { state in
                    state.jitters.count > 1 ? state.jitters.removeFirst() : (state.jitters.first ?? 1.0)
                }
            })
    }
}

/// A loopback endpoint that answers from a script, one reply per request, then repeats the last.
final class ScriptedEndpoint: Sendable {
    private final class Script: Sendable {
        let state: Mutex<(replies: [HTTPServerReply], received: [HTTPServerRequest])>
        init(_ replies: [HTTPServerReply]) { state = Mutex((replies, [])) }
    }

    let server: LoopbackHTTPServer
    private let script: Script

    init(_ replies: [HTTPServerReply]) throws {
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

    var url: String { "http://\(server.authority)" }
    var received: [HTTPServerRequest] { script.state.withLock { $0.received } }
    func setScript(_ replies: [HTTPServerReply]) { script.state.withLock { $0.replies = replies } }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPServerReply {
        var headers = headers
        headers.add("Content-Type", "application/x-amz-json-1.0")
        headers.add("x-amzn-RequestId", "req-\(status)")
        return .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static let throttled = json(
        400, #"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}"#)
    static let internalError = json(
        500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#)
    static let ok = json(200, "{}")
}

let testService = AWSService(
    name: "DynamoDB", signingName: "dynamodb", endpointPrefix: "dynamodb", environmentSuffix: "DYNAMODB",
    wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))

func testConfiguration(endpoint: String, sessionToken: String? = nil) -> AWSConfiguration {
    AWSConfiguration(
        region: "us-east-1",
        credentials: AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: sessionToken),
        endpointURL: endpoint)
}

struct Empty: Codable, Equatable {}
