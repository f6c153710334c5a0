import AWSSQS
import CloudEvents
import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaTesting
import TestSupport
import Testing

/// query as a real bootstrap process reading, through the kit's DynamoDB client, what the real
/// publish, process, store and notify bootstraps wrote to moto for one event.
@Suite(.serialized) struct QueryIntegrationTests {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var json: [String: Any]
    }

    /// An HTTP API request through a function, and its payload 2.0 answer.
    func call(_ lambda: LocalLambda, _ request: APIGatewayV2Request) throws -> Answer {
        let report = lambda.invoke(Array(try JSONEncoder().encode(request)))
        guard case .response(let payload) = report.result else {
            throw QueryIntegrationFailure("no response: \(report.result)")
        }
        let response = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        let body = try #require(response["body"] as? String)
        return Answer(
            status: response["statusCode"] as? Int ?? 0, headers: response["headers"] as? [String: String] ?? [:],
            json: try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)"))
    }

    func get(_ lambda: LocalLambda, _ id: String) throws -> Answer {
        try call(
            lambda,
            APIGatewayV2Request.make(
                method: "GET", path: "/events/\(id)", routeKey: "GET /events/{id}", pathParameters: ["id": id]))
    }

    /// What the topic delivered, as an SQS batch for the consumers.
    func batch(_ messages: [SQS.Message]) -> SQSEvent {
        SQSEvent(records: messages.map { .make(body: $0.body ?? "") })
    }

    func invoke(_ lambda: LocalLambda, _ batch: SQSEvent) throws {
        let report = lambda.invoke(Array(try JSONEncoder().encode(batch)))
        #expect(batchFailures(report.payload) == [], "\(report.result)")
    }

    /// An RFC 3339 time within a minute of now.
    func isRecent(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions =
            text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { return false }
        return abs(date.timeIntervalSinceNow) < 60
    }

    @Test func anEventIsFollowedFromPublishThroughEveryFunction() async throws {
        let aws = try AWS()
        let idempotency = try await aws.createTable("idempotency", sortKey: false)
        let events = try await aws.createTable("events", sortKey: true)
        let audit = try await aws.createTable("audit", sortKey: true)
        let topic = try await aws.createTopicWithQueue("events")
        let notifications = try await aws.createTopicWithQueue("notifications")

        let publish = try localLambda(
            "publish", environment: ["TOPIC_ARN": topic.topicARN, "IDEMPOTENCY_TABLE": idempotency])
        let process = try localLambda("process", environment: ["EVENTS_TABLE": events])
        let store = try localLambda("store", environment: ["AUDIT_TABLE": audit])
        let notify = try localLambda(
            "notify",
            environment: ["NOTIFICATIONS_TOPIC_ARN": notifications.topicARN, "IDEMPOTENCY_TABLE": idempotency])
        let query = try localLambda(
            "query", environment: ["IDEMPOTENCY_TABLE": idempotency, "EVENTS_TABLE": events, "AUDIT_TABLE": audit])
        defer { for lambda in [publish, process, store, notify, query] { lambda.shutdown() } }

        // A complete CloudEvent without a time, as the web page sends it: publish keeps a record
        // of it (`publish#event#<source>#<id>`), which query finds once it knows the source.
        let id = "evt-\(UUID().uuidString.lowercased())"
        let cloudEvent =
            #"{"specversion":"1.0","id":"\#(id)","source":"/shop/payments","type":"payment.failed","subject":"ord-7","datacontenttype":"application/json","data":{"amount":12}}"#
        let published = try call(
            publish,
            APIGatewayV2Request.make(
                method: "POST", path: "/events", headers: ["content-type": "application/json"], body: cloudEvent))
        #expect(published.status == 202)
        #expect(published.json["id"] as? String == id)

        // Nothing downstream yet, and publish's record is not found by the id alone.
        let unknown = try get(query, id)
        #expect(unknown.status == 404)
        #expect(unknown.headers["Content-Type"] == "application/problem+json")
        #expect(unknown.json["type"] as? String == "urn:swift-lambda-kit:problem:event-not-found")

        let delivered = batch(try await aws.drain(topic.queueURL))
        #expect(delivered.records.count == 1)
        let hash = try #require(delivered.records.first).receivedCloudEvent().event.payloadHash

        try invoke(process, delivered)
        var answer = try get(query, id)
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "application/json")
        #expect(answer.json["id"] as? String == id)
        #expect(answer.json["type"] as? String == "payment.failed")
        #expect(answer.json["source"] as? String == "/shop/payments")
        #expect(answer.json["subject"] as? String == "ord-7")
        #expect(answer.json["time"] is NSNull)
        let publishedAt = (answer.json["published"] as? [String: Any])?["at"]
        #expect(isRecent(publishedAt), "published.at from publish's record: \(String(describing: publishedAt))")
        let processed = try #require(answer.json["processed"] as? [String: Any])
        #expect(isRecent(processed["at"]))
        #expect(processed["carrier"] as? String == "sns")
        #expect(processed["payloadHash"] as? String == hash)
        #expect(answer.json["stored"] is NSNull)
        #expect(answer.json["notified"] is NSNull, "notifiable, not notified yet")

        try invoke(store, delivered)
        try invoke(notify, delivered)
        #expect(try await aws.drain(notifications.queueURL).count == 1)
        answer = try get(query, id)
        #expect(answer.status == 200)
        let stored = try #require(answer.json["stored"] as? [String: Any])
        #expect(isRecent(stored["at"]))
        #expect(stored["payloadHash"] as? String == hash)
        #expect((stored["conflicts"] as? [Any])?.isEmpty == true)
        let notified = try #require(answer.json["notified"] as? [String: Any])
        #expect(isRecent(notified["at"]))
        #expect((notified["messageId"] as? String)?.isEmpty == false)

        // A short-form event of a type notify leaves alone: no `notified` at all.
        let other = try call(
            publish,
            APIGatewayV2Request.make(
                method: "POST", path: "/events", headers: ["content-type": "application/json"],
                body: #"{"type":"order.created","data":{"n":1}}"#))
        let otherID = try #require(other.json["id"] as? String)
        let otherBatch = batch(try await aws.drain(topic.queueURL))
        try invoke(store, otherBatch)
        try invoke(notify, otherBatch)
        answer = try get(query, otherID)
        #expect(answer.status == 200)
        #expect(answer.json["notified"] == nil)
        #expect(answer.json["processed"] is NSNull)
        #expect(isRecent((answer.json["published"] as? [String: Any])?["at"]), "the time publish gave it")
        #expect((answer.json["stored"] as? [String: Any])?["carrier"] as? String == "sns")
    }

    @Test func aTableDynamoDBDoesNotHaveIsA502ProblemAndTheProcessServesOn() async throws {
        let output = OutputCapture()
        let query = try localLambda(
            "query",
            environment: [
                "IDEMPOTENCY_TABLE": Endpoint.uniqueName("missing"), "EVENTS_TABLE": Endpoint.uniqueName("missing"),
                "AUDIT_TABLE": Endpoint.uniqueName("missing"),
            ], output: output)
        defer { query.shutdown() }
        for _ in 0..<2 {
            let answer = try get(query, "evt-1")
            #expect(answer.status == 502, "\(answer.json)\n\(output.text)")
            #expect(answer.headers["Content-Type"] == "application/problem+json")
            #expect(answer.json["type"] as? String == "urn:swift-lambda-kit:problem:query-failed")
            #expect((answer.json["detail"] as? String)?.contains("ResourceNotFoundException") == true)
        }
        #expect(output.text.contains("the event's records could not be read"))
    }

    @Test func withoutItsTablesQueryFailsInitNamingTheVariable() throws {
        let query = try localLambda("query", environment: ["EVENTS_TABLE": "events", "AUDIT_TABLE": "audit"])
        defer { query.shutdown() }
        let report = query.invoke(Array("{}".utf8))
        guard case .initError(let error) = report.result else {
            Issue.record("expected an init failure, got \(report.result)")
            return
        }
        #expect(error.errorMessage.contains("IDEMPOTENCY_TABLE is not set"))
    }
}

struct QueryIntegrationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
