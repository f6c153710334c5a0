import AWSCore
import AWSDynamoDB
import Foundation
import TestSupport
import Testing

@Suite struct DynamoDBIntegrationTests {
    struct Order: Codable, Equatable {
        var pk: String
        var sk: String
        var status: String
        var total: Double
        var lines: [Line]
        var tags: Set<String>
        var note: String?
        var payload: DynamoDBBinary

        struct Line: Codable, Equatable {
            var sku: String
            var quantity: Int
        }
    }

    /// A table with a string partition key `pk` and sort key `sk`.
    func makeTable(_ client: DynamoDBClient) async throws -> String {
        let name = Endpoint.uniqueName("orders")
        _ = try await Endpoint.json(
            client.transport, "CreateTable",
            [
                "TableName": name,
                "AttributeDefinitions": [
                    ["AttributeName": "pk", "AttributeType": "S"], ["AttributeName": "sk", "AttributeType": "S"],
                ],
                "KeySchema": [
                    ["AttributeName": "pk", "KeyType": "HASH"], ["AttributeName": "sk", "KeyType": "RANGE"],
                ],
                "BillingMode": "PAY_PER_REQUEST",
            ])
        return name
    }

    @Test func itemOperationsRoundTrip() async throws {
        let client = DynamoDBClient(configuration: try Endpoint.configuration())
        let table = try await makeTable(client)
        let order = Order(
            pk: "customer#1", sk: "order#1", status: "NEW", total: 12.5, lines: [.init(sku: "A-1", quantity: 2)],
            tags: ["gift", "express"], note: nil, payload: DynamoDBBinary([0, 1, 2, 255]))
        let item = try DynamoDBItemEncoder().encode(order)
        _ = try await client.putItem(
            DynamoDB.PutItemInput(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)"))

        let key: DynamoDBItem = ["pk": "customer#1", "sk": "order#1"]
        let read = try await client.getItem(DynamoDB.GetItemInput(tableName: table, key: key, consistentRead: true))
        let stored = try #require(read.item)
        #expect(try DynamoDBItemDecoder().decode(Order.self, from: stored) == order)
        #expect(stored["tags"] == .ss(["express", "gift"]))
        #expect(stored["payload"] == .b([0, 1, 2, 255]))
        #expect(stored["note"] == nil)  // nil optionals are left out, as the synthesized Encodable does

        // A projection with an attribute name that is a reserved word.
        let projected = try await client.getItem(
            DynamoDB.GetItemInput(
                tableName: table, key: key, projectionExpression: "#s, #t",
                expressionAttributeNames: ["#s": "status", "#t": "total"]))
        #expect(projected.item == ["status": "NEW", "total": .n("12.5")])

        let updated = try await client.updateItem(
            DynamoDB.UpdateItemInput(
                tableName: table, key: key, returnValues: .updatedNew,
                updateExpression: "SET #s = :paid, #t = #t + :fee",
                conditionExpression: "#s = :new",
                expressionAttributeNames: ["#s": "status", "#t": "total"],
                expressionAttributeValues: [":paid": "PAID", ":new": "NEW", ":fee": .n("1.5")]))
        #expect(updated.attributes?["status"] == "PAID")
        // DynamoDB writes "14", moto "14.0": compare the number, not its spelling.
        #expect(
            try DynamoDBItemDecoder().decode(Double.self, fromAttribute: try #require(updated.attributes?["total"]))
                == 14)

        _ = try await client.putItem(
            DynamoDB.PutItemInput(tableName: table, item: ["pk": "customer#1", "sk": "order#2", "status": "NEW"]))
        _ = try await client.putItem(
            DynamoDB.PutItemInput(tableName: table, item: ["pk": "customer#2", "sk": "order#1", "status": "NEW"]))
        let page = try await client.query(
            DynamoDB.QueryInput(
                tableName: table, filterExpression: "#s = :new",
                keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
                expressionAttributeNames: ["#s": "status"],
                expressionAttributeValues: [":pk": "customer#1", ":prefix": "order#", ":new": "NEW"]))
        #expect((page.items ?? []).map { $0["sk"] } == [.s("order#2")])
        #expect(page.scannedCount == 2)
        #expect(page.count == 1)

        let deleted = try await client.deleteItem(
            DynamoDB.DeleteItemInput(
                tableName: table, key: key, returnValues: .allOld, conditionExpression: "attribute_exists(pk)"))
        #expect(deleted.attributes?["status"] == "PAID")
        #expect(try await client.getItem(DynamoDB.GetItemInput(tableName: table, key: key)).item == nil)
    }

    @Test func conditionalPutOnAnExistingKeyIsConditionalCheckFailed() async throws {
        let client = DynamoDBClient(configuration: try Endpoint.configuration())
        let table = try await makeTable(client)
        let item: DynamoDBItem = ["pk": "idempotency#abc", "sk": "-", "status": "IN_PROGRESS"]
        let put = DynamoDB.PutItemInput(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)")
        _ = try await client.putItem(put)
        let error = await #expect(throws: AWSError.self) { try await client.putItem(put) }
        #expect(error?.isConditionalCheckFailed == true)
        #expect(error?.code == .conditionalCheckFailed)
        #expect(error?.service == "DynamoDB")
        #expect(error?.operation == "PutItem")
        #expect(error?.statusCode == 400)
    }

    @Test func transactionsCommitOrCancelWithReasons() async throws {
        let client = DynamoDBClient(configuration: try Endpoint.configuration())
        let table = try await makeTable(client)
        _ = try await client.transactWriteItems(
            DynamoDB.TransactWriteItemsInput(transactItems: [
                .put(
                    .init(
                        item: ["pk": "account#1", "sk": "-", "balance": 100], tableName: table,
                        conditionExpression: "attribute_not_exists(pk)")),
                .put(.init(item: ["pk": "account#2", "sk": "-", "balance": 0], tableName: table)),
                .put(.init(item: ["pk": "ledger#open", "sk": "-"], tableName: table)),
            ]))

        let transfer = DynamoDB.TransactWriteItemsInput(transactItems: [
            .update(
                .init(
                    key: ["pk": "account#1", "sk": "-"], updateExpression: "SET balance = balance - :amount",
                    tableName: table, conditionExpression: "balance >= :amount",
                    expressionAttributeValues: [":amount": 500])),
            .update(
                .init(
                    key: ["pk": "account#2", "sk": "-"], updateExpression: "SET balance = balance + :amount",
                    tableName: table, expressionAttributeValues: [":amount": 500])),
            .conditionCheck(
                .init(
                    key: ["pk": "ledger#open", "sk": "-"], tableName: table, conditionExpression: "attribute_exists(pk)"
                )),
        ])
        let error = await #expect(throws: AWSError.self) { try await client.transactWriteItems(transfer) }
        #expect(error?.isTransactionCanceled == true)
        let reasons = try #require(error?.cancellationReasons)
        #expect(reasons.map(\.code) == ["ConditionalCheckFailed", "None", "None"])
        #expect(reasons[0].isConditionalCheckFailed)

        // Nothing of the cancelled transaction was applied.
        let account = try await client.getItem(
            DynamoDB.GetItemInput(tableName: table, key: ["pk": "account#2", "sk": "-"]))
        #expect(account.item?["balance"] == .n("0"))

        // Nor an item it created before an operation that failed validation.
        let opening = DynamoDB.TransactWriteItemsInput(transactItems: [
            .put(.init(item: ["pk": "account#3", "sk": "-", "balance": 1], tableName: table)),
            .update(
                .init(
                    key: ["pk": .s(String(repeating: "x", count: 2_100)), "sk": "-"],
                    updateExpression: "SET balance = :amount", tableName: table,
                    expressionAttributeValues: [":amount": 1])),
        ])
        await #expect(throws: AWSError.self) { try await client.transactWriteItems(opening) }
        #expect(
            try await client.getItem(DynamoDB.GetItemInput(tableName: table, key: ["pk": "account#3", "sk": "-"])).item
                == nil)
    }

    /// What `process` relies on: its record and counter writes are one transaction, and a
    /// cancelled transaction leaves everything as the other requests made it. Here one client
    /// keeps sending large transactions that bump the counter first and are then cancelled by
    /// their last item, while others commit record + counter transactions: the counter must
    /// end equal to the commits. (moto applies a transaction's items one by one and puts them
    /// back on a cancel: unless requests are isolated, a cancel erases increments made meanwhile.)
    @Test func cancelledTransactionsNeverUndoConcurrentOnes() async throws {
        let client = DynamoDBClient(configuration: try Endpoint.configuration())
        let table = try await makeTable(client)
        let counterKey: DynamoDBItem = ["pk": "COUNTER#all", "sk": "-"]
        let increment = DynamoDB.TransactWriteItem.update(
            .init(
                key: counterKey, updateExpression: "ADD #count :one", tableName: table,
                expressionAttributeNames: ["#count": "count"], expressionAttributeValues: [":one": .n("1")]))
        _ = try await client.putItem(
            DynamoDB.PutItemInput(tableName: table, item: ["pk": "EVENT#taken", "sk": "EVENT"]))
        let commits = 150
        let writers = 3
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for record in 0..<commits / writers {
                        _ = try await client.transactWriteItems(
                            DynamoDB.TransactWriteItemsInput(transactItems: [
                                .put(
                                    .init(
                                        item: ["pk": .s("EVENT#\(writer)-\(record)"), "sk": "EVENT"], tableName: table,
                                        conditionExpression: "attribute_not_exists(pk)")),
                                increment,
                            ]))
                    }
                }
            }
            group.addTask {
                for attempt in 0..<40 {
                    let filler = (0..<90).map {
                        DynamoDB.TransactWriteItem.put(
                            .init(item: ["pk": .s("FILLER#\(attempt)-\($0)"), "sk": "-"], tableName: table))
                    }
                    let taken = DynamoDB.TransactWriteItem.put(
                        .init(
                            item: ["pk": "EVENT#taken", "sk": "EVENT"], tableName: table,
                            conditionExpression: "attribute_not_exists(pk)"))
                    let error = await #expect(throws: AWSError.self) {
                        try await client.transactWriteItems(
                            DynamoDB.TransactWriteItemsInput(transactItems: [increment] + filler + [taken]))
                    }
                    #expect(error?.isTransactionCanceled == true)
                }
            }
            try await group.waitForAll()
        }
        let counter = try await client.getItem(
            DynamoDB.GetItemInput(tableName: table, key: counterKey, consistentRead: true))
        #expect(counter.item?["count"] == .n(String(commits)))
        let filler = try await client.getItem(
            DynamoDB.GetItemInput(tableName: table, key: ["pk": "FILLER#0-0", "sk": "-"], consistentRead: true))
        #expect(filler.item == nil)
    }
}
