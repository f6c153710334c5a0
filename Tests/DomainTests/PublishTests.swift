import AWSSNS
import CloudEvents
import EventProcessing
import Foundation
import HTTPProblem
import Idempotency
import IdempotencyTesting
import LambdaEvents
import LambdaRuntime
import LambdaTesting
import PublishFunction
import Synchronization
import Testing
import UTCTime

struct PublishFixture {
    let store = InMemoryIdempotencyStore()
    let sns: RecordingSNS
    let eventBridge = RecordingEventBridge()
    let handler: PublishHandler

    init(topicARN: String = SampleAWS.topicARN, sns: RecordingSNS = RecordingSNS(), eventBus: Bool = true) {
        self.sns = sns
        let counter = Counter()
        handler = PublishHandler(
            store: store,
            targets: PublishTargets(sns: (sns, topicARN), eventBridge: eventBus ? (eventBridge, "orders-bus") : nil),
            defaultSource: "urn:test:publish",
            makeID: { "id-\(counter.next())" },
            now: { UTCTime(secondsSince1970: 1_714_564_800) })
    }

    func post(
        _ body: String, headers: [String: String] = ["content-type": "application/json"], version: Int = 2,
        authorizer: APIGatewayV2Authorizer? = nil, method: String = "POST", logs: CapturedLogs = CapturedLogs()
    ) async throws -> APIGatewayResponse {
        let event: any Encodable =
            version == 2
            ? APIGatewayV2Request.make(
                method: method, path: "/events", headers: headers, body: body, routeKey: "POST /events",
                authorizer: authorizer)
            : APIGatewayV1Request.make(method: method, path: "/events", headers: headers, body: body)
        let outcome = try await LambdaTest.invoke(
            handler, encoding: AnyEncodableBox(event), context: .testing(logs: logs))
        return try outcome.decode(as: DecodedResponse.self).response(version: version)
    }
}

struct AnyEncodableBox: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

struct DecodedResponse: Decodable {
    var statusCode: Int
    var headers: [String: String]?
    var body: String?
    func response(version: Int) -> APIGatewayResponse {
        version == 2
            ? .v2(APIGatewayV2Response(statusCode: statusCode, headers: headers, body: body))
            : .v1(APIGatewayV1Response(statusCode: statusCode, headers: headers, body: body))
    }
}

extension APIGatewayResponse {
    var json: JSONValue? { try? JSONValue(parsing: Data(body.utf8)) }
}

@Suite struct PublishTests {
    let shortForm = #"{"type":"order.created","subject":"ord-1","data":{"orderId":"ord-1"}}"#

    @Test func theShortFormIsCompletedPublishedToBothTargetsAndAnswered202() async throws {
        let fixture = PublishFixture()
        let jwt = APIGatewayV2Authorizer(jwt: .init(claims: ["sub": "user-42", "email": "a@example.com"], scopes: nil))
        let response = try await fixture.post(shortForm, authorizer: jwt)
        #expect(response.statusCode == 202)
        #expect(response.json == .object(["id": .string("id-1")]))
        #expect(response.headers["Content-Type"] == "application/json")

        let published = try #require(fixture.sns.published.first)
        #expect(published.topicARN == SampleAWS.topicARN)
        #expect(published.messageAttributes?["type"] == .string("order.created"))
        #expect(published.messageAttributes?["source"] == .string("urn:test:publish"))
        #expect(published.messageGroupID == nil)
        let event = try CloudEvent(validating: try JSONValue(parsing: Data(published.message.utf8)))
        #expect(event.id == "id-1")
        #expect(event.time == "2024-05-01T12:00:00.000Z")
        #expect(event.authContext == .init(type: "app_user", id: "user-42"))

        let entry = try #require(fixture.eventBridge.entries.first)
        #expect(entry.source == "urn:test:publish")
        #expect(entry.detailType == "order.created")
        #expect(entry.eventBusName == "orders-bus")
        #expect(entry.detail == published.message)
    }

    @Test func theSameIdempotencyKeyAnswersTheSameIdAndPublishesNothing() async throws {
        let fixture = PublishFixture()
        let headers = ["content-type": "application/json", "idempotency-key": "req-1"]
        let first = try await fixture.post(shortForm, headers: headers)
        let logs = CapturedLogs()
        let second = try await fixture.post(shortForm, headers: headers, logs: logs)
        #expect(first.statusCode == 202)
        #expect(second.statusCode == 202)
        #expect(second.json == first.json)
        #expect(fixture.sns.published.count == 1)
        #expect(fixture.eventBridge.entries.count == 1)
        let replay = try #require(
            logs.jsonLines.first { ($0["message"] as? String)?.hasPrefix("duplicate request") == true })
        #expect(replay["correlationId"] as? String == "id-1")

        let reused = try await fixture.post(#"{"type":"order.created","data":{"orderId":"other"}}"#, headers: headers)
        #expect(reused.statusCode == 422)
        #expect(reused.json?["type"] == .string("urn:swift-lambda-kit:problem:idempotency-key-reused"))
        #expect(fixture.sns.published.count == 1)
    }

    @Test func aCompleteCloudEventIsIdempotentOnItsSourceAndIdOverRESTToo() async throws {
        let fixture = PublishFixture()
        let body = cloudEvent(id: "evt-7")
        let headers = ["Content-Type": "application/cloudevents+json; charset=utf-8"]
        let first = try await fixture.post(body, headers: headers, version: 1)
        let second = try await fixture.post(body, headers: headers, version: 1)
        #expect(first.statusCode == 202)
        #expect(first.json == .object(["id": .string("evt-7")]))
        #expect(second.json == first.json)
        #expect(fixture.sns.published.count == 1)
        let event = try CloudEvent(validating: try JSONValue(parsing: Data(fixture.sns.published[0].message.utf8)))
        #expect(event.authContext == .unauthenticated)
    }

    @Test func aCallerCannotClaimAnotherIdentityInTheBody() async throws {
        let fixture = PublishFixture()
        let jwt = APIGatewayV2Authorizer(jwt: .init(claims: ["sub": "user-42"], scopes: nil))
        _ = try await fixture.post(#"{"type":"t","data":1,"authtype":"system","authid":"root"}"#, authorizer: jwt)
        let event = try CloudEvent(validating: try JSONValue(parsing: Data(fixture.sns.published[0].message.utf8)))
        #expect(event.authContext == .init(type: "app_user", id: "user-42"))
    }

    @Test func aFIFOTopicGetsAGroupAndADeduplicationId() async throws {
        let fixture = PublishFixture(topicARN: "arn:aws:sns:us-east-1:123456789012:events.fifo", eventBus: false)
        _ = try await fixture.post(shortForm)
        let published = try #require(fixture.sns.published.first)
        #expect(published.messageGroupID == "ord-1")
        #expect(published.messageDeduplicationID == "id-1")
    }

    @Test func badRequestsGetProblemDetails() async throws {
        let fixture = PublishFixture()
        let malformed = try await fixture.post(#"{"type": "#)
        #expect(malformed.statusCode == 400)
        #expect(malformed.headers["Content-Type"] == "application/problem+json")
        #expect(malformed.json?["type"] == .string("urn:swift-lambda-kit:problem:malformed-json"))
        #expect(malformed.json?["status"] == .integer(400))

        let large = try await fixture.post(#"{"type":"t","data":""# + String(repeating: "x", count: 262_145) + #""}"#)
        #expect(large.statusCode == 413)

        let text = try await fixture.post("hello", headers: ["content-type": "text/plain"])
        #expect(text.statusCode == 415)
        let none = try await fixture.post(shortForm, headers: [:])
        #expect(none.statusCode == 415)

        let invalid = try await fixture.post(#"{"specversion":"1.0","id":"","type":"t","source":"/s","time":"noon"}"#)
        #expect(invalid.statusCode == 422)
        let errors = invalid.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue }
        #expect(errors == ["/id", "/time"])

        let get = try await fixture.post(shortForm, method: "GET")
        #expect(get.statusCode == 405)
        #expect(get.headers["Allow"] == "POST")
        #expect(fixture.sns.published.isEmpty)
    }

    @Test func aFailedPublishIs503AndLeavesTheKeyFreeForTheRetry() async throws {
        let sns = RecordingSNS()
        sns.setFailing(true)
        let fixture = PublishFixture(sns: sns, eventBus: false)
        let headers = ["content-type": "application/json", "idempotency-key": "req-9"]
        let failed = try await fixture.post(shortForm, headers: headers)
        #expect(failed.statusCode == 503)
        #expect(fixture.store.records.isEmpty)
        sns.setFailing(false)
        let retried = try await fixture.post(shortForm, headers: headers)
        #expect(retried.statusCode == 202)
        #expect(sns.published.count == 1)
    }

    @Test func aRejectedEventBridgeEntryFailsTheRequest() async throws {
        let handler = PublishHandler(
            store: InMemoryIdempotencyStore(),
            targets: PublishTargets(eventBridge: (RecordingEventBridge(rejecting: true), "bus")))
        let request = APIGatewayV2Request.make(
            method: "POST", path: "/events", headers: ["content-type": "application/json"], body: shortForm)
        let response = try await LambdaTest.invoke(handler, encoding: request).decode(as: DecodedResponse.self)
        #expect(response.statusCode == 503)
    }

    @Test func aRequestInProgressIs409WithRetryAfter() async throws {
        let fixture = PublishFixture()
        let key = "publish#key#unauthenticated:-#req-5"
        _ = try await fixture.store.begin(
            key: key, payloadHash: CanonicalJSON.sha256(try JSONValue(parsing: Data(shortForm.utf8))),
            inProgressExpiry: Int64(Date().timeIntervalSince1970 * 1000) + 60_000, deadline: nil)
        let response = try await fixture.post(
            shortForm, headers: ["content-type": "application/json", "idempotency-key": "req-5"])
        #expect(response.statusCode == 409)
        #expect(response.headers["Retry-After"] != nil)
    }

    @Test func configurationNeedsATargetAndATable() throws {
        let noTarget = #expect(throws: ConfigurationError.self) {
            try PublishConfiguration(environment: ["IDEMPOTENCY_TABLE": "idem"])
        }
        #expect(
            noTarget?.description
                == "TOPIC_ARN and EVENT_BUS_NAME are both unset: set at least one, so published events go somewhere")
        let configuration = try PublishConfiguration(environment: [
            "EVENT_BUS_NAME": "bus", "IDEMPOTENCY_TABLE": "idem",
        ])
        #expect(configuration.eventSource == "urn:swift-lambda-kit:publish")
        #expect(configuration.topicARN == nil)
        let noTable = #expect(throws: ConfigurationError.self) {
            try PublishConfiguration(environment: ["TOPIC_ARN": SampleAWS.topicARN])
        }
        #expect(noTable?.variable == "IDEMPOTENCY_TABLE")
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
