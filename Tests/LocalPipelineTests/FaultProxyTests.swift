import AWSCore
import AWSSQS
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

@testable import LocalPipeline

/// An upstream that records what reached it.
final class RecordingUpstream: Sendable {
    final class Log: Sendable {
        let requests = Mutex<[HTTPServerRequest]>([])
    }

    let log = Log()
    let server: LoopbackHTTPServer

    init() throws {
        let log = self.log
        server = try LoopbackHTTPServer { request in
            log.requests.withLock { $0.append(request) }
            return .response(
                HTTPResponse(
                    status: 200, headers: ["Content-Type": "application/json", "x-amzn-RequestId": "up"],
                    body: Array(#"{"ok":true}"#.utf8)))
        }
    }

    var url: String { "http://\(server.authority)" }
    var count: Int { log.requests.withLock { $0.count } }
    var first: HTTPServerRequest? { log.requests.withLock { $0.first } }
}

let jsonCall: HTTPHeaders = ["Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.PutItem"]
let queryCall: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]

@Suite struct FaultProxyTests {
    @Test func forwardsUntouchedWithTheSignedHostHeader() throws {
        let upstream = try RecordingUpstream()
        let proxy = try FaultProxy(upstream: upstream.url, plan: FaultPlan())
        var headers = jsonCall
        headers.add("Host", "dynamodb.us-east-1.amazonaws.com")
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: proxy.endpoint + "/", headers: headers, body: Array("{\"a\":1}".utf8)))
        #expect(response.status == 200)
        #expect(response.body == Array(#"{"ok":true}"#.utf8))
        let received = try #require(upstream.first)
        #expect(received.headers["Host"] == "dynamodb.us-east-1.amazonaws.com")
        #expect(received.headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem")
        #expect(received.body == Array("{\"a\":1}".utf8))
        #expect(proxy.counts.forwarded == 1 && proxy.counts.injected == 0)
    }

    @Test func throttlesInTheShapeOfEachProtocolWithoutReachingTheEndpoint() throws {
        let upstream = try RecordingUpstream()
        let proxy = try FaultProxy(upstream: upstream.url, plan: FaultPlan(throttle: 1))
        let client = HTTPClient()
        let json = try client.execute(
            HTTPRequest(method: "POST", url: proxy.endpoint + "/", headers: jsonCall, body: Array("{}".utf8)))
        #expect(json.status == 400)
        #expect(json.headers["x-amzn-ErrorType"] == "ThrottlingException")
        #expect(String(decoding: json.body, as: UTF8.self).contains(#""__type":"ThrottlingException""#))
        let query = try client.execute(
            HTTPRequest(
                method: "POST", url: proxy.endpoint + "/", headers: queryCall, body: Array("Action=Publish".utf8)))
        #expect(query.status == 400)
        #expect(String(decoding: query.body, as: UTF8.self).contains("<Code>Throttling</Code>"))
        #expect(upstream.count == 0)
        #expect(proxy.counts.throttled == 2)
    }

    @Test func serverErrorsAre500InternalFailure() throws {
        let upstream = try RecordingUpstream()
        let proxy = try FaultProxy(upstream: upstream.url, plan: FaultPlan(serverError: 1))
        let response = try HTTPClient().execute(
            HTTPRequest(method: "POST", url: proxy.endpoint + "/", headers: jsonCall, body: Array("{}".utf8)))
        #expect(response.status == 500)
        #expect(response.headers["x-amzn-ErrorType"] == "InternalFailure")
        #expect(upstream.count == 0)
    }

    @Test func dropAfterForwardingReachesTheEndpointButAnswersNothing() throws {
        let upstream = try RecordingUpstream()
        let proxy = try FaultProxy(upstream: upstream.url, plan: FaultPlan(dropAfterForwarding: 1))
        #expect(throws: HTTPClientError.self) {
            try HTTPClient().execute(
                HTTPRequest(
                    method: "POST", url: proxy.endpoint + "/", headers: jsonCall, body: Array("{}".utf8),
                    timeout: .seconds(10)))
        }
        #expect(upstream.count == 1)
        #expect(proxy.counts.droppedAfterForwarding == 1)
    }

    @Test func dropBeforeForwardingNeverReachesTheEndpoint() throws {
        let upstream = try RecordingUpstream()
        let proxy = try FaultProxy(upstream: upstream.url, plan: FaultPlan(dropBeforeForwarding: 1))
        #expect(throws: HTTPClientError.self) {
            try HTTPClient().execute(
                HTTPRequest(
                    method: "POST", url: proxy.endpoint + "/", headers: jsonCall, body: Array("{}".utf8),
                    timeout: .seconds(10)))
        }
        #expect(upstream.count == 0)
    }

    /// The same seed spoils the same calls: a failing run can be repeated exactly.
    @Test func aSeedMakesTheFaultsReproducible() throws {
        func outcomes(seed: UInt64) throws -> [Int] {
            let upstream = try RecordingUpstream()
            let proxy = try FaultProxy(
                upstream: upstream.url, plan: FaultPlan(throttle: 0.2, serverError: 0.2, seed: seed))
            let client = HTTPClient()
            return try (0..<60).map { _ in
                try client.execute(
                    HTTPRequest(method: "POST", url: proxy.endpoint + "/", headers: jsonCall, body: Array("{}".utf8))
                ).status
            }
        }
        let first = try outcomes(seed: 42)
        #expect(first == (try outcomes(seed: 42)))
        #expect(first != (try outcomes(seed: 43)))
        #expect(first.contains(400) && first.contains(500) && first.contains(200))
    }

    @Test func plansParseAndRefuseNonsense() throws {
        #expect(try FaultPlan(parsing: "all=0.1,seed=7") == .evenly(0.1, seed: 7))
        #expect(
            try FaultPlan(parsing: "throttle=0.05,error=0.02,drop=0.01,lost=0.01")
                == FaultPlan(throttle: 0.05, serverError: 0.02, dropAfterForwarding: 0.01, dropBeforeForwarding: 0.01))
        #expect(throws: FaultPlanError.self) { try FaultPlan(parsing: "throttle=2") }
        #expect(throws: FaultPlanError.self) { try FaultPlan(parsing: "explode=0.1") }
        #expect(throws: FaultPlanError.self) { try FaultPlan(parsing: "throttle=0.6,error=0.6") }
    }

    @Test func chaosPlansParseAndRefuseNonsense() throws {
        let plan = try ChaosPlan(parsing: "kill=1.5,poll-drop=0.05,poll-lost=0.02,seed=7")
        #expect(plan.killEvery == .milliseconds(1_500) && plan.seed == 7)
        #expect(plan.pollerFaults == FaultPlan(dropAfterForwarding: 0.05, dropBeforeForwarding: 0.02, seed: 7))
        #expect(try ChaosPlan(parsing: "kill=2").pollerFaults == nil)
        #expect(throws: FaultPlanError.self) { try ChaosPlan(parsing: "kill=0") }
        #expect(throws: FaultPlanError.self) { try ChaosPlan(parsing: "poll-drop=0.7,poll-lost=0.7") }
        #expect(throws: FaultPlanError.self) { try ChaosPlan(parsing: "explode=1") }
    }

    /// Against moto with authentication on: a signed call through the proxy still verifies,
    /// and the client's retries carry it through injected throttling.
    @Test func signedCallsVerifyThroughTheProxyAndRetriesAbsorbFaults() async throws {
        var configuration = try Endpoint.configuration()
        let admin = AWSAdmin(configuration: configuration)
        let url = try await admin.createQueue(name: Endpoint.uniqueName("proxy"), attributes: [:])
        let proxy = try FaultProxy(upstream: configuration.endpointURL!, plan: FaultPlan(throttle: 0.3, seed: 3))
        configuration.endpointURL = proxy.endpoint
        let sqs = SQSClient(
            configuration: configuration,
            options: .init(retryPolicy: RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(1))))
        for index in 0..<20 {
            _ = try await sqs.sendMessage(SQS.SendMessageRequest(queueURL: url, messageBody: "m\(index)"))
        }
        let attributes = try await admin.queueAttributes(url: url, names: ["ApproximateNumberOfMessages"])
        #expect(attributes["ApproximateNumberOfMessages"] == "20")
        #expect(proxy.counts.throttled > 0)
        #expect(proxy.counts.forwarded == 20)
    }
}
