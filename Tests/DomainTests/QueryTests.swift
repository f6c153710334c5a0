import AWSCore
import AWSDynamoDB
import AWSSNS
import CloudEvents
import Foundation
import Idempotency
import LambdaEvents
import LambdaHTTP
import LambdaRuntime
import LambdaTesting
import NotifyFunction
import ProcessFunction
import PublishFunction
import QueryFunction
import StoreFunction
import Testing
import UTCTime

/// DynamoDB in memory: items by table and key (`id`, or `pk` + `sk`). Puts (alone or in a
/// transaction) store; of conditions only store's `attribute_not_exists(pk)` is evaluated (the
/// idempotency stores' hold for records written once, as each test writes them); a Query
/// answers `pk = :id AND begins_with(sk, :conflict)`, the one query reads. With `failure` set,
/// every call throws it.
///
/// `Guarded`, not `Mutex`: query reads with sibling child tasks, which nothing but this lock
/// orders, and ThreadSanitizer does not see `Mutex`'s futex (it reported two sibling reads as
/// a race in a CI run).
final class InMemoryDynamoDB: DynamoDBClientProtocol {
    private let state = Guarded<(tables: [String: [String: DynamoDBItem]], failure: (any Error)?)>(([:], nil))

    func setFailure(_ error: (any Error)?) { state.update { $0.failure = error } }
    func items(_ table: String) -> [DynamoDBItem] { state.update { Array(($0.tables[table] ?? [:]).values) } }

    private static func key(_ attributes: DynamoDBItem) -> String {
        let names = attributes["pk"] != nil ? ["pk", "sk"] : ["id"]
        return names.map { "\($0)=\(attributes[$0].map { "\($0)" } ?? "-")" }.joined(separator: " ")
    }

    private func checked<T>(_ body: (inout [String: [String: DynamoDBItem]]) -> T) throws -> T {
        try state.update { state in
            if let failure = state.failure { throw failure }
            return body(&state.tables)
        }
    }

    func put(_ item: DynamoDBItem, in table: String, ifAbsent: Bool = false) throws {
        let written = try checked { tables in
            if ifAbsent, tables[table]?[Self.key(item)] != nil { return false }
            tables[table, default: [:]][Self.key(item)] = item
            return true
        }
        guard written else {
            throw AWSError(
                service: "DynamoDB", operation: "PutItem", code: .conditionalCheckFailed,
                message: "The conditional request failed", requestID: nil, statusCode: 400)
        }
    }

    func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.PutItemOutput
    {
        try put(input.item, in: input.tableName, ifAbsent: input.conditionExpression == "attribute_not_exists(pk)")
        return DynamoDB.PutItemOutput()
    }

    func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.GetItemOutput
    {
        DynamoDB.GetItemOutput(item: try checked { $0[input.tableName]?[Self.key(input.key)] })
    }

    func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.UpdateItemOutput
    {
        try checked { _ in DynamoDB.UpdateItemOutput() }
    }

    func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.DeleteItemOutput
    {
        try checked { $0[input.tableName]?[Self.key(input.key)] = nil }
        return DynamoDB.DeleteItemOutput()
    }

    func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws -> DynamoDB.QueryOutput {
        #expect(input.keyConditionExpression == "#pk = :id AND begins_with(#sk, :conflict)")
        let items = try checked { tables in
            (tables[input.tableName] ?? [:]).values.filter { item in
                guard case .s(let sk)? = item["sk"],
                    case .s(let prefix)? = input.expressionAttributeValues?[":conflict"]
                else { return false }
                return item["pk"] == input.expressionAttributeValues?[":id"] && sk.hasPrefix(prefix)
            }
        }
        return DynamoDB.QueryOutput(items: items, count: items.count)
    }

    func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.TransactWriteItemsOutput
    {
        for item in input.transactItems {
            if let write = item.put { try put(write.item, in: write.tableName) }
        }
        return DynamoDB.TransactWriteItemsOutput()
    }
}

/// The pipeline's functions writing through their real DynamoDB stores into one in-memory
/// DynamoDB, each at a second of its own after `t0`, and `query` reading it.
struct QueryFixture {
    static let t0: Int64 = 1_714_564_800  // 2024-05-01T12:00:00Z
    static let configuration = QueryConfiguration(
        idempotencyTable: "idempotency", eventsTable: "events", auditTable: "audit",
        notifyTypes: [EventTypePattern("*.alert"), EventTypePattern("*.failed")])

    let dynamoDB = InMemoryDynamoDB()
    let sns = RecordingSNS()
    let notifications = RecordingSNS()

    static func clock(_ second: Int64) -> @Sendable () -> UTCTime { { UTCTime(secondsSince1970: t0 + second) } }
    static func milliseconds(_ second: Int64) -> @Sendable () -> Int64 { { (t0 + second) * 1000 } }

    /// publish at t0: `POST /events` over the HTTP API; the id it answered.
    func publish(_ body: String, headers: [String: String] = [:]) async throws -> String {
        let handler = PublishHandler(
            store: DynamoDBIdempotencyStore(
                client: dynamoDB, tableName: "idempotency", now: Self.milliseconds(0)),
            targets: PublishTargets(sns: (sns, SampleAWS.topicARN)), defaultSource: "urn:test:publish",
            makeID: { "short-1" }, now: Self.clock(0))
        let request = APIGatewayV2Request.make(
            method: "POST", path: "/events", headers: headers.merging(["content-type": "application/json"]) { $1 },
            body: body)
        let response = try await LambdaTest.invoke(handler, encoding: request).decode(as: APIGatewayV2Response.self)
        #expect(response.statusCode == 202, "\(response.body ?? "")")
        return try #require(try JSONValue(parsing: Data((response.body ?? "").utf8))["id"]?.stringValue)
    }

    /// What publish sent, as the queues' consumers receive it from the topic.
    var published: SQSEvent {
        SQSEvent(
            records: sns.published.map { .carrying(SNSNotification.make(message: $0.message, urlKeyCasing: .http)) })
    }

    func process(_ batch: SQSEvent) async throws {
        let store = DynamoDBIdempotencyStore(
            client: dynamoDB, tableName: "events", keySchema: ProcessConfiguration.eventRecordKeySchema,
            timeToLive: .seconds(14 * 86_400), now: Self.milliseconds(1))
        #expect(try await invoke(ProcessHandler(store: store, eventsTable: "events", now: Self.clock(1)), batch) == [])
    }

    func store(_ batch: SQSEvent) async throws {
        let handler = StoreHandler(
            store: DynamoDBAuditStore(client: dynamoDB, tableName: "audit"), retentionDays: 30, now: Self.clock(2))
        #expect(try await invoke(handler, batch) == [])
    }

    func notify(_ batch: SQSEvent) async throws {
        let handler = NotifyHandler(
            store: DynamoDBIdempotencyStore(client: dynamoDB, tableName: "idempotency", now: Self.milliseconds(3)),
            sns: notifications, notificationsTopicARN: "arn:aws:sns:us-east-1:123456789012:notifications.fifo",
            notifyTypes: Self.configuration.notifyTypes, circuitBreaker: nil)
        #expect(try await invoke(handler, batch) == [])
    }

    /// `GET /events/{id}` through query: the status and the response.
    func query(
        _ id: String?, method: String = "GET", path: String? = nil,
        configuration: QueryConfiguration = Self.configuration
    ) async throws -> (status: Int, headers: [String: String], json: JSONValue) {
        let request = APIGatewayV2Request.make(
            method: method, path: path ?? "/events/\(id.map { PercentEncodingForTests.encode($0) } ?? "")",
            routeKey: "GET /events/{id}", pathParameters: id.map { ["id": $0] })
        let outcome = try await LambdaTest.invoke(
            QueryHandler(client: dynamoDB, configuration: configuration), encoding: request)
        let response = try outcome.decode(as: APIGatewayV2Response.self)
        return (
            response.statusCode, response.headers ?? [:], try JSONValue(parsing: Data((response.body ?? "").utf8))
        )
    }
}

enum PercentEncodingForTests {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }
}

@Suite struct QueryTests {
    let paymentFailed =
        #"{"specversion":"1.0","id":"evt-1","source":"/shop/payments","type":"payment.failed","subject":"ord-7","time":"2024-05-01T11:59:58Z","data":{"amount":12}}"#

    func payloadHash(_ batch: SQSEvent) throws -> String {
        try #require(batch.records.first).receivedCloudEvent().event.payloadHash
    }

    @Test func eachStageAppearsAsTheFunctionsRecordIt() async throws {
        let fixture = QueryFixture()
        let id = try await fixture.publish(paymentFailed)
        #expect(id == "evt-1")
        // Only publish's record so far, which the id alone does not lead to.
        #expect(try await fixture.query(id).status == 404)

        let batch = fixture.published
        let hash = try payloadHash(batch)
        try await fixture.process(batch)
        var expected: [String: JSONValue] = [
            "id": .string("evt-1"), "type": .string("payment.failed"), "source": .string("/shop/payments"),
            "subject": .string("ord-7"), "time": .string("2024-05-01T11:59:58Z"),
            // When publish completed its record (t0), not the event's own time.
            "published": .object(["at": .string("2024-05-01T12:00:00Z")]),
            "processed": .object([
                "at": .string("2024-05-01T12:00:01.000Z"), "minute": .string("2024-05-01T11:59"),
                "carrier": .string("sns"), "payloadHash": .string(hash),
            ]),
            "stored": .null, "notified": .null,
        ]
        var answer = try await fixture.query(id)
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "application/json")
        #expect(answer.json == .object(expected))

        try await fixture.store(batch)
        expected["stored"] = .object([
            "at": .string("2024-05-01T12:00:02.000Z"), "payloadHash": .string(hash), "carrier": .string("sns"),
            "conflicts": .array([]),
        ])
        answer = try await fixture.query(id)
        #expect(answer.json == .object(expected))

        try await fixture.notify(batch)
        #expect(fixture.notifications.published.count == 1)
        expected["notified"] = .object(["at": .string("2024-05-01T12:00:03Z"), "messageId": .string("sns-1")])
        answer = try await fixture.query(id)
        #expect(answer.json == .object(expected))
    }

    @Test func aShortFormEventWasPublishedAtTheTimePublishGaveIt() async throws {
        let fixture = QueryFixture()
        // No Idempotency-Key: publish keeps no record at all; the event's time is its acceptance.
        let id = try await fixture.publish(#"{"type":"order.created","data":{"n":1}}"#)
        #expect(fixture.dynamoDB.items("idempotency").isEmpty)
        try await fixture.process(fixture.published)
        let answer = try await fixture.query(id)
        #expect(answer.status == 200)
        #expect(answer.json["source"] == .string("urn:test:publish"))
        #expect(answer.json["subject"] == .null)
        #expect(answer.json["time"] == .string("2024-05-01T12:00:00.000Z"))
        #expect(answer.json["published"] == .object(["at": .string("2024-05-01T12:00:00.000Z")]))
        #expect(answer.json["stored"] == .null)
    }

    @Test func anEventNotifyDoesNotNotifyHasNoNotifiedKey() async throws {
        let fixture = QueryFixture()
        let id = try await fixture.publish(#"{"type":"order.created","subject":"ord-1","data":{}}"#)
        let batch = fixture.published
        try await fixture.process(batch)
        try await fixture.store(batch)
        try await fixture.notify(batch)
        #expect(fixture.notifications.published.isEmpty)
        let answer = try await fixture.query(id)
        #expect(answer.status == 200)
        guard case .object(let object) = answer.json else { throw QueryTestFailure("not an object") }
        #expect(object["notified"] == nil)
        #expect(object["processed"] != .null && object["stored"] != .null)
        // The same event under NOTIFY_TYPES that include its type: pending.
        var configuration = QueryFixture.configuration
        configuration.notifyTypes = [EventTypePattern("order.*")]
        #expect(try await fixture.query(id, configuration: configuration).json["notified"] == .null)
    }

    @Test func notifiedIsNullWhileNotifyHoldsItInProgress() async throws {
        let fixture = QueryFixture()
        let id = try await fixture.publish(paymentFailed)
        let batch = fixture.published
        try await fixture.process(batch)
        let store = DynamoDBIdempotencyStore(
            client: fixture.dynamoDB, tableName: "idempotency", now: QueryFixture.milliseconds(3))
        _ = try await store.begin(
            key: "notify#\(id)", payloadHash: try payloadHash(batch),
            inProgressExpiry: (QueryFixture.t0 + 60) * 1000, deadline: nil)
        let answer = try await fixture.query(id)
        guard case .object(let object) = answer.json else { throw QueryTestFailure("not an object") }
        #expect(object["notified"] == .some(.null))
    }

    @Test func anEventOnlyStoreHasSeenIsReadFromItsAuditRecord() async throws {
        let fixture = QueryFixture()
        let id = try await fixture.publish(paymentFailed)
        let batch = fixture.published
        try await fixture.store(batch)
        let answer = try await fixture.query(id)
        #expect(answer.status == 200)
        #expect(answer.json["type"] == .string("payment.failed"))
        #expect(answer.json["source"] == .string("/shop/payments"))
        #expect(answer.json["subject"] == .string("ord-7"))
        #expect(answer.json["time"] == .string("2024-05-01T11:59:58Z"))
        #expect(answer.json["published"] == .object(["at": .string("2024-05-01T12:00:00Z")]))
        #expect(answer.json["processed"] == .null)
        #expect(answer.json["stored"]?["payloadHash"] == .string(try payloadHash(batch)))
        #expect(answer.json["notified"] == .null)
    }

    @Test func aDifferentPayloadUnderTheSameIdIsListedAsAConflict() async throws {
        let fixture = QueryFixture()
        let original = CloudEvent(id: "dup", source: "/s", type: "t", data: .integer(1))
        var impostor = original
        impostor.data = .integer(2)
        try await fixture.store(SQSEvent.make(bodies: [original.canonicalJSON, impostor.canonicalJSON]))
        let answer = try await fixture.query("dup")
        #expect(answer.json["stored"]?["payloadHash"] == .string(original.payloadHash))
        #expect(
            answer.json["stored"]?["conflicts"]
                == .array([
                    .object([
                        "payloadHash": .string(impostor.payloadHash), "at": .string("2024-05-01T12:00:02.000Z"),
                        "carrier": .string("raw"),
                    ])
                ]))
        #expect(answer.json["published"] == .object(["at": .null]), "no time, and no record of publish's")
    }

    @Test func anUnknownIdIs404InPublishsProblemFormat() async throws {
        let fixture = QueryFixture()
        let answer = try await fixture.query("nobody")
        #expect(answer.status == 404)
        #expect(answer.headers["Content-Type"] == "application/problem+json")
        #expect(answer.json["type"] == .string("urn:swift-lambda-kit:problem:event-not-found"))
        #expect(answer.json["title"] == .string("Not Found"))
        #expect(answer.json["status"] == .integer(404))
        #expect(answer.json["detail"]?.stringValue?.contains("nobody") == true)
        #expect(answer.json["instance"]?.stringValue?.hasPrefix("urn:aws:apigateway:request:") == true)
    }

    @Test func aMissingOrOversizedIdIs400() async throws {
        let fixture = QueryFixture()
        let missing = try await fixture.query(nil, path: "/events/")
        #expect(missing.status == 400)
        #expect(missing.headers["Content-Type"] == "application/problem+json")
        #expect(missing.json["type"] == .string("urn:swift-lambda-kit:problem:missing-event-id"))
        #expect(try await fixture.query("").status == 400)
        let long = try await fixture.query(String(repeating: "x", count: EventRecordKeys.maximumIDBytes + 1))
        #expect(long.status == 400)
        #expect(long.json["type"] == .string("urn:swift-lambda-kit:problem:invalid-event-id"))
        #expect(try await fixture.query(String(repeating: "x", count: EventRecordKeys.maximumIDBytes)).status == 404)
    }

    @Test func withoutAPathParameterTheIdIsTheLastSegmentOfThePath() async throws {
        let fixture = QueryFixture()
        try await fixture.store(SQSEvent.make(bodies: [cloudEvent(id: "a b/c")]))
        let answer = try await fixture.query(nil, path: "/events/a%20b%2Fc")
        #expect(answer.status == 200)
        #expect(answer.json["id"] == .string("a b/c"))
    }

    @Test func aMethodOtherThanGETIs405() async throws {
        let answer = try await QueryFixture().query("evt-1", method: "DELETE")
        #expect(answer.status == 405)
        #expect(answer.headers["Allow"] == "GET")
        #expect(answer.json["type"] == .string("urn:swift-lambda-kit:problem:method-not-allowed"))
    }

    static let failures: [(any Error & Sendable, Int, String?)] = [
        (
            AWSError(
                service: "DynamoDB", operation: "GetItem", code: .resourceNotFound,
                message: "Requested resource not found: Table: events not found", requestID: "R1", statusCode: 400),
            502, nil
        ),
        (
            AWSError(
                service: "DynamoDB", operation: "GetItem", code: .accessDenied, message: "not authorized",
                requestID: "R2", statusCode: 400), 502, nil
        ),
        (
            AWSError(
                service: "DynamoDB", operation: "Query", code: .provisionedThroughputExceeded, message: "slow down",
                requestID: "R3", statusCode: 400), 503, "1"
        ),
        (
            AWSError(
                service: "DynamoDB", operation: "GetItem", code: "InternalServerError", message: nil, requestID: "R4",
                statusCode: 500), 503, "1"
        ),
        (
            AWSTransportError.network(
                service: "DynamoDB", operation: "GetItem", attempts: 3,
                underlying: .connectionFailed(url: "https://dynamodb.test", reason: "refused")), 503, "1"
        ),
        (
            AWSTransportError.circuitOpen(service: "DynamoDB", operation: "GetItem", endpoint: "https://dynamodb.test"),
            503, "10"
        ),
        (AWSTransportError.deadlineExceeded(service: "DynamoDB", operation: "GetItem", attempts: 2), 503, "1"),
        (AWSTransportError.invalidResponse(service: "DynamoDB", operation: "GetItem", reason: "not JSON"), 502, nil),
    ]

    @Test(arguments: 0..<QueryTests.failures.count)
    func anAWSFailureIsAProblemNeverACrash(_ index: Int) async throws {
        let (error, status, retryAfter) = Self.failures[index]
        let fixture = QueryFixture()
        fixture.dynamoDB.setFailure(error)
        let answer = try await fixture.query("evt-1")
        #expect(answer.status == status, "\(error)")
        #expect(answer.headers["Content-Type"] == "application/problem+json")
        #expect(answer.headers["Retry-After"] == retryAfter)
        #expect(
            answer.json["type"]
                == .string("urn:swift-lambda-kit:problem:\(status == 503 ? "query-unavailable" : "query-failed")"))
        let detail = try #require(answer.json["detail"]?.stringValue)
        #expect(detail.hasPrefix("the event's records could not be read"))
        #expect(detail.contains("DynamoDB"))
        #expect(!detail.contains("events not found"), "no table name reaches the caller")
    }

    @Test func theRecordsAreReadWhereTheirFunctionsWriteThem() {
        #expect(EventRecordKeys.processed(id: "e") == ["pk": .s("EVENT#e"), "sk": .s("EVENT")])
        #expect(EventRecordKeys.stored(id: "e") == ["pk": .s("e"), "sk": .s("ORIGINAL")])
        #expect(EventRecordKeys.notified(id: "e") == ["id": .s("notify#e")])
        #expect(EventRecordKeys.published(source: "/s", id: "e") == ["id": .s("publish#event#/s#e")])
        // The times of publish's and notify's records are their expiry less the store's TTL.
        #expect(
            DynamoDBIdempotencyStore(client: InMemoryDynamoDB(), tableName: "t").timeToLive
                == QueryHandler.idempotencyRecordTimeToLive)
    }

    @Test func configurationComesFromTheEnvironmentAndFailsNamingTheVariable() throws {
        let environment = ["IDEMPOTENCY_TABLE": "idem", "EVENTS_TABLE": "events", "AUDIT_TABLE": "audit"]
        #expect(
            try QueryConfiguration(environment: environment)
                == QueryConfiguration(
                    idempotencyTable: "idem", eventsTable: "events", auditTable: "audit",
                    notifyTypes: [EventTypePattern("*.alert"), EventTypePattern("*.failed")]))
        #expect(
            try QueryConfiguration(environment: environment.merging(["NOTIFY_TYPES": "a.*, b"]) { $1 }).notifyTypes
                == [EventTypePattern("a.*"), EventTypePattern("b")])
        for variable in ["IDEMPOTENCY_TABLE", "EVENTS_TABLE", "AUDIT_TABLE"] {
            let error = #expect(throws: ConfigurationError.self) {
                try QueryConfiguration(environment: environment.filter { $0.key != variable })
            }
            #expect(error?.variable == variable)
            #expect(error?.description.contains("is not set") == true)
        }
        let error = #expect(throws: ConfigurationError.self) {
            try QueryConfiguration(environment: environment.merging(["NOTIFY_TYPES": " , "]) { $1 })
        }
        #expect(error?.variable == "NOTIFY_TYPES")
    }
}

struct QueryTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
