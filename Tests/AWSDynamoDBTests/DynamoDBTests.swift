import AWSCore
import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing
import UTCTime

@testable import AWSDynamoDB

@Suite struct AttributeValueTests {
    @Test func everyTypeRoundTripsThroughItsJSONForm() throws {
        let value: AttributeValue = .m([
            "s": .s("text"), "n": .n("-12.50"), "b": .b([0, 255]), "bool": .bool(true), "null": .null,
            "l": .l([.s("a"), .n("1")]), "ss": .ss(["x", "y"]), "ns": .ns(["1", "2.5"]),
            "bs": .bs([[1], [2]]),
        ])
        let json = try JSONEncoder().encode(value)
        let object = try JSONSerialization.jsonObject(with: json) as! [String: [String: Any]]
        let map = object["M"]!
        #expect((map["s"] as? [String: String]) == ["S": "text"])
        #expect((map["n"] as? [String: String]) == ["N": "-12.50"])
        #expect((map["b"] as? [String: String]) == ["B": "AP8="])
        #expect((map["null"] as? [String: Bool]) == ["NULL": true])
        #expect((map["bool"] as? [String: Bool]) == ["BOOL": true])
        #expect(try JSONDecoder().decode(AttributeValue.self, from: json) == value)
    }

    @Test func rejectsAnObjectWithoutExactlyOneType() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"S":"a","N":"1"}"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data("{}".utf8)) }
    }
}

@Suite struct ItemCodingTests {
    struct Record: Codable, Equatable {
        enum State: String, Codable { case pending, done }
        var id: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var state: State
        var optional: String?
        var nested: [String: [Int]]
        var payload: DynamoDBBinary
        var tags: Set<String>
        var at: UTCTime
        var list: [Nested?]
        struct Nested: Codable, Equatable { var name: String }
    }

    let record = Record(
        id: "r-1", count: 42, ratio: 0.25, flag: false, state: .done, optional: "here", nested: ["a": [1, 2]],
        payload: DynamoDBBinary([7, 7]), tags: ["b", "a"], at: UTCTime(secondsSince1970: 1_700_000_000.5),
        list: [.init(name: "n"), nil])

    @Test func encodesToTheNaturalAttributeTypes() throws {
        let item = try DynamoDBItemEncoder().encode(record)
        #expect(item["id"] == .s("r-1"))
        #expect(item["count"] == .n("42"))
        #expect(item["ratio"] == .n("0.25"))
        #expect(item["flag"] == .bool(false))
        #expect(item["state"] == .s("done"))
        #expect(item["nested"] == .m(["a": .l([.n("1"), .n("2")])]))
        #expect(item["payload"] == .b([7, 7]))
        #expect(item["tags"] == .ss(["a", "b"]))
        #expect(item["at"] == .n("1700000000.5"))
        #expect(item["list"] == .l([.m(["name": .s("n")]), .null]))
    }

    @Test func decodesBackToTheSameValue() throws {
        let item = try DynamoDBItemEncoder().encode(record)
        #expect(try DynamoDBItemDecoder().decode(Record.self, from: item) == record)
        var withoutOptional = item
        withoutOptional["optional"] = nil
        #expect(try DynamoDBItemDecoder().decode(Record.self, from: withoutOptional).optional == nil)
        withoutOptional["optional"] = .null
        #expect(try DynamoDBItemDecoder().decode(Record.self, from: withoutOptional).optional == nil)
    }

    /// The module has no Foundation; a handler that has conforms `Data` and `Date` as README
    /// shows, and they are B and N (seconds since 1970) as before.
    @Test func foundationTypesConformedByTheHandlerAreBinaryAndEpochSeconds() throws {
        struct Legacy: Codable, Equatable {
            var payload: Data
            var at: Date
            var blobs: [Data]
        }
        let legacy = Legacy(
            payload: Data([1, 2]), at: Date(timeIntervalSince1970: 1_700_000_000.5), blobs: [Data([3])])
        let item = try DynamoDBItemEncoder().encode(legacy)
        #expect(item["payload"] == .b([1, 2]))
        #expect(item["at"] == .n("1700000000.5"))
        #expect(item["blobs"] == .l([.b([3])]))
        #expect(try DynamoDBItemDecoder().decode(Legacy.self, from: item) == legacy)
    }

    @Test func binarySetsAreBS() throws {
        let item = try DynamoDBItemEncoder().encode(["blobs": Set([DynamoDBBinary([2]), DynamoDBBinary([1])])])
        #expect(item["blobs"] == .bs([[1], [2]]))
        #expect(try DynamoDBItemDecoder().decode([String: Set<DynamoDBBinary>].self, from: item)["blobs"]?.count == 2)
    }

    @Test func mismatchesAreDecodingErrorsWithAPath() throws {
        var item = try DynamoDBItemEncoder().encode(record)
        item["count"] = .s("forty-two")
        #expect(throws: DecodingError.self) { try DynamoDBItemDecoder().decode(Record.self, from: item) }
        item["count"] = .n("1e400")
        #expect(throws: DecodingError.self) { try DynamoDBItemDecoder().decode(Record.self, from: item) }
        #expect(throws: EncodingError.self) { try DynamoDBItemEncoder().encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try DynamoDBItemEncoder().encode([1, 2]) }
    }
}

extension ScriptedEndpoint {
    /// A JSON answer for DynamoDB.
    convenience init(status: Int = 200, body: String) throws {
        try self.init([ScriptedEndpoint.json(status, body)])
    }

    func body(_ index: Int = 0) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(received[index].body)) as! [String: Any]
    }
}

@Suite struct DynamoDBWireTests {
    @Test func putItemSendsTheModelShapeSigned() async throws {
        let endpoint = try ScriptedEndpoint(
            body: #"{"Attributes":{"pk":{"S":"a"}},"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.0}}"#)
        let client = DynamoDBClient(configuration: endpoint.configuration(region: "eu-west-1"))
        let output = try await client.putItem(
            DynamoDB.PutItemInput(
                tableName: "t", item: ["pk": "a"], returnValues: .allOld, returnConsumedCapacity: .total,
                conditionExpression: "attribute_not_exists(pk)", expressionAttributeNames: ["#p": "pk"]))
        #expect(output.attributes == ["pk": "a"])
        #expect(output.consumedCapacity?.capacityUnits == 1)
        let request = try #require(endpoint.received.first)
        #expect(request.headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem")
        #expect(request.headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(request.headers["Authorization"]?.contains("/eu-west-1/dynamodb/aws4_request") == true)
        let body = try endpoint.body()
        #expect(
            Set(body.keys) == [
                "TableName", "Item", "ConditionExpression", "ExpressionAttributeNames", "ReturnValues",
                "ReturnConsumedCapacity",
            ])
        #expect(body["ReturnValues"] as? String == "ALL_OLD")
    }

    @Test func transactItemsAreTaggedByActionAndCancellationReasonsAreRead() async throws {
        let reply =
            #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"pk":{"S":"b"}}}]}"#
        let endpoint = try ScriptedEndpoint(status: 400, body: reply)
        let client = DynamoDBClient(configuration: endpoint.configuration(region: "eu-west-1"))
        let error = await #expect(throws: AWSError.self) {
            try await client.transactWriteItems(
                DynamoDB.TransactWriteItemsInput(
                    transactItems: [
                        .put(.init(item: ["pk": "a"], tableName: "t")),
                        .conditionCheck(
                            .init(
                                key: ["pk": "b"], tableName: "t", conditionExpression: "attribute_not_exists(pk)",
                                returnValuesOnConditionCheckFailure: .allOld)),
                    ], clientRequestToken: "token-1"))
        }
        #expect(error?.isTransactionCanceled == true)
        #expect(error?.isConditionalCheckFailed == false)
        #expect(
            error?.cancellationReasons == [
                CancellationReason(code: "None"),
                CancellationReason(
                    code: "ConditionalCheckFailed", message: "The conditional request failed", item: ["pk": "b"]),
            ])
        #expect(endpoint.received.count == 1)  // a cancelled transaction is not retried
        let items = try endpoint.body()["TransactItems"] as! [[String: Any]]
        #expect(items.map { Array($0.keys) } == [["Put"], ["ConditionCheck"]])
    }

    @Test func conditionalCheckFailedCarriesTheOldItem() async throws {
        let endpoint = try ScriptedEndpoint(
            status: 400,
            body:
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a"},"v":{"N":"3"}}}"#
        )
        let client = DynamoDBClient(configuration: endpoint.configuration(region: "eu-west-1"))
        let error = await #expect(throws: AWSError.self) {
            try await client.updateItem(
                DynamoDB.UpdateItemInput(
                    tableName: "t", key: ["pk": "a"], updateExpression: "SET v = :n", conditionExpression: "v < :n",
                    expressionAttributeValues: [":n": 3], returnValuesOnConditionCheckFailure: .allOld))
        }
        #expect(error?.isConditionalCheckFailed == true)
        #expect(error?.conditionCheckFailureItem == ["pk": "a", "v": .n("3")])
        #expect(error?.cancellationReasons == nil)
    }

    @Test func anInMemoryFakeStandsBehindTheProtocol() async throws {
        struct Fake: DynamoDBClientProtocol {
            let items = Items()
            final class Items: Sendable { let store = Mutex<[String: DynamoDBItem]>([:]) }
            func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
                -> DynamoDB.PutItemOutput
            {
                items.store.withLock { $0[input.item["pk"].map { "\($0)" } ?? ""] = input.item }
                return DynamoDB.PutItemOutput()
            }
            func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
                -> DynamoDB.GetItemOutput
            {
                DynamoDB.GetItemOutput(item: items.store.withLock { $0[input.key["pk"].map { "\($0)" } ?? ""] })
            }
            func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
                -> DynamoDB.UpdateItemOutput
            { .init() }
            func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
                -> DynamoDB.DeleteItemOutput
            { .init() }
            func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws
                -> DynamoDB.QueryOutput
            { .init() }
            func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?)
                async throws
                -> DynamoDB.TransactWriteItemsOutput
            { .init() }
        }
        let client: any DynamoDBClientProtocol = Fake()
        _ = try await client.putItem(DynamoDB.PutItemInput(tableName: "t", item: ["pk": "k", "v": 1]))
        #expect(try await client.getItem(DynamoDB.GetItemInput(tableName: "t", key: ["pk": "k"])).item?["v"] == .n("1"))
    }
}

// README's "Foundation in a handler": the two conformances a handler that uses Data and Date adds.
extension Data: DynamoDBAttributeConvertible {
    public var dynamoDBAttribute: AttributeValue { .b(Array(self)) }
    public init(dynamoDBAttribute attribute: AttributeValue, codingPath: [any CodingKey]) throws {
        self = Data(try DynamoDBBinary(dynamoDBAttribute: attribute, codingPath: codingPath).bytes)
    }
}

extension Date: DynamoDBAttributeConvertible {
    public var dynamoDBAttribute: AttributeValue { UTCTime(secondsSince1970: timeIntervalSince1970).dynamoDBAttribute }
    public init(dynamoDBAttribute attribute: AttributeValue, codingPath: [any CodingKey]) throws {
        self.init(
            timeIntervalSince1970: try UTCTime(dynamoDBAttribute: attribute, codingPath: codingPath).secondsSince1970)
    }
}
