import AWSCore
import JSONCoding
import LambdaHTTP
import Logging

extension AWSService {
    public static let dynamoDB = AWSService(
        name: "DynamoDB", signingName: "dynamodb", endpointPrefix: "dynamodb", environmentSuffix: "DYNAMODB",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
}

/// The DynamoDB operations the kit's functions use. Domain code depends on this protocol,
/// so its tests can use an in-memory fake.
public protocol DynamoDBClientProtocol: Sendable {
    func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.PutItemOutput
    func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.GetItemOutput
    func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.UpdateItemOutput
    func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.DeleteItemOutput
    func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws -> DynamoDB.QueryOutput
    func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.TransactWriteItemsOutput
}

extension DynamoDBClientProtocol {
    public func putItem(_ input: DynamoDB.PutItemInput) async throws -> DynamoDB.PutItemOutput {
        try await putItem(input, deadline: nil)
    }
    public func getItem(_ input: DynamoDB.GetItemInput) async throws -> DynamoDB.GetItemOutput {
        try await getItem(input, deadline: nil)
    }
    public func updateItem(_ input: DynamoDB.UpdateItemInput) async throws -> DynamoDB.UpdateItemOutput {
        try await updateItem(input, deadline: nil)
    }
    public func deleteItem(_ input: DynamoDB.DeleteItemInput) async throws -> DynamoDB.DeleteItemOutput {
        try await deleteItem(input, deadline: nil)
    }
    public func query(_ input: DynamoDB.QueryInput) async throws -> DynamoDB.QueryOutput {
        try await query(input, deadline: nil)
    }
    public func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput) async throws
        -> DynamoDB.TransactWriteItemsOutput
    {
        try await transactWriteItems(input, deadline: nil)
    }
}

extension DynamoDB.TransactWriteItem {
    public static func conditionCheck(_ check: DynamoDB.ConditionCheck) -> Self { Self(conditionCheck: check) }
    public static func put(_ put: DynamoDB.Put) -> Self { Self(put: put) }
    public static func update(_ update: DynamoDB.Update) -> Self { Self(update: update) }
    public static func delete(_ delete: DynamoDB.Delete) -> Self { Self(delete: delete) }
}

/// DynamoDB over the JSON 1.0 protocol.
public struct DynamoDBClient: DynamoDBClientProtocol, AWSServiceClient {
    public static let service = AWSService.dynamoDB
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.PutItemOutput
    {
        try await transport.sendJSON(operation: "PutItem", input: input, deadline: deadline)
    }

    public func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.GetItemOutput
    {
        try await transport.sendJSON(operation: "GetItem", input: input, deadline: deadline)
    }

    public func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.UpdateItemOutput
    {
        try await transport.sendJSON(operation: "UpdateItem", input: input, deadline: deadline)
    }

    public func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.DeleteItemOutput
    {
        try await transport.sendJSON(operation: "DeleteItem", input: input, deadline: deadline)
    }

    public func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant?) async throws
        -> DynamoDB.QueryOutput
    {
        try await transport.sendJSON(operation: "Query", input: input, deadline: deadline)
    }

    public func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant?)
        async throws
        -> DynamoDB.TransactWriteItemsOutput
    {
        try await transport.sendJSON(operation: "TransactWriteItems", input: input, deadline: deadline)
    }
}

// MARK: - Errors

extension AWSErrorCode {
    public static let conditionalCheckFailed: AWSErrorCode = "ConditionalCheckFailedException"
    public static let transactionCanceled: AWSErrorCode = "TransactionCanceledException"
    public static let transactionConflict: AWSErrorCode = "TransactionConflictException"
    public static let resourceNotFound: AWSErrorCode = "ResourceNotFoundException"
    public static let provisionedThroughputExceeded: AWSErrorCode = "ProvisionedThroughputExceededException"
}

/// Why one action of a cancelled transaction failed, at the action's index.
public struct CancellationReason: Sendable, Decodable, Equatable {
    /// "None" for actions that did not cause the cancellation, else e.g. "ConditionalCheckFailed".
    public var code: String?
    public var message: String?
    /// The item as it was, when `returnValuesOnConditionCheckFailure` asked for it.
    public var item: DynamoDBItem?

    public init(code: String?, message: String? = nil, item: DynamoDBItem? = nil) {
        self.code = code
        self.message = message
        self.item = item
    }

    public var isConditionalCheckFailed: Bool { code == "ConditionalCheckFailed" }

    enum CodingKeys: String, CodingKey { case code = "Code", message = "Message", item = "Item" }
}

extension AWSError {
    /// A condition expression of PutItem, UpdateItem or DeleteItem was false.
    public var isConditionalCheckFailed: Bool { code == .conditionalCheckFailed }

    public var isTransactionCanceled: Bool { code == .transactionCanceled }

    /// For a `TransactionCanceledException`, one reason per action of the transaction, in order.
    public var cancellationReasons: [CancellationReason]? {
        guard isTransactionCanceled else { return nil }
        struct Shape: Decodable {
            var reasons: [CancellationReason]?
            enum CodingKeys: String, CodingKey { case reasons = "CancellationReasons" }
        }
        return (try? JSON.decode(Shape.self, from: body))?.reasons
    }

    /// For a `ConditionalCheckFailedException` with `returnValuesOnConditionCheckFailure: .allOld`,
    /// the item that failed the condition.
    public var conditionCheckFailureItem: DynamoDBItem? {
        guard isConditionalCheckFailed else { return nil }
        struct Shape: Decodable {
            var item: DynamoDBItem?
            enum CodingKeys: String, CodingKey { case item = "Item" }
        }
        return (try? JSON.decode(Shape.self, from: body))?.item
    }
}
