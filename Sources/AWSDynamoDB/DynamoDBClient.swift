import AWSCore
import LambdaHTTP
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AWSService {
    public static let dynamoDB = AWSService(
        name: "DynamoDB", signingName: "dynamodb", endpointPrefix: "dynamodb", environmentSuffix: "DYNAMODB",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
}

/// The DynamoDB operations the kit's functions use. Domain code depends on this protocol,
/// so its tests can use an in-memory fake.
public protocol DynamoDBClientProtocol: Sendable {
    func putItem(_ input: PutItemInput, deadline: ContinuousClock.Instant?) async throws -> PutItemOutput
    func getItem(_ input: GetItemInput, deadline: ContinuousClock.Instant?) async throws -> GetItemOutput
    func updateItem(_ input: UpdateItemInput, deadline: ContinuousClock.Instant?) async throws -> UpdateItemOutput
    func deleteItem(_ input: DeleteItemInput, deadline: ContinuousClock.Instant?) async throws -> DeleteItemOutput
    func query(_ input: QueryInput, deadline: ContinuousClock.Instant?) async throws -> QueryOutput
    func transactWriteItems(_ input: TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> TransactWriteItemsOutput
}

extension DynamoDBClientProtocol {
    public func putItem(_ input: PutItemInput) async throws -> PutItemOutput { try await putItem(input, deadline: nil) }
    public func getItem(_ input: GetItemInput) async throws -> GetItemOutput { try await getItem(input, deadline: nil) }
    public func updateItem(_ input: UpdateItemInput) async throws -> UpdateItemOutput {
        try await updateItem(input, deadline: nil)
    }
    public func deleteItem(_ input: DeleteItemInput) async throws -> DeleteItemOutput {
        try await deleteItem(input, deadline: nil)
    }
    public func query(_ input: QueryInput) async throws -> QueryOutput { try await query(input, deadline: nil) }
    public func transactWriteItems(_ input: TransactWriteItemsInput) async throws -> TransactWriteItemsOutput {
        try await transactWriteItems(input, deadline: nil)
    }
}

/// DynamoDB over the JSON 1.0 protocol.
public struct DynamoDBClient: DynamoDBClientProtocol, AWSServiceClient {
    public static let service = AWSService.dynamoDB
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func putItem(_ input: PutItemInput, deadline: ContinuousClock.Instant?) async throws -> PutItemOutput {
        try await transport.sendJSON(operation: "PutItem", input: input, deadline: deadline)
    }

    public func getItem(_ input: GetItemInput, deadline: ContinuousClock.Instant?) async throws -> GetItemOutput {
        try await transport.sendJSON(operation: "GetItem", input: input, deadline: deadline)
    }

    public func updateItem(_ input: UpdateItemInput, deadline: ContinuousClock.Instant?) async throws
        -> UpdateItemOutput
    {
        try await transport.sendJSON(operation: "UpdateItem", input: input, deadline: deadline)
    }

    public func deleteItem(_ input: DeleteItemInput, deadline: ContinuousClock.Instant?) async throws
        -> DeleteItemOutput
    {
        try await transport.sendJSON(operation: "DeleteItem", input: input, deadline: deadline)
    }

    public func query(_ input: QueryInput, deadline: ContinuousClock.Instant?) async throws -> QueryOutput {
        try await transport.sendJSON(operation: "Query", input: input, deadline: deadline)
    }

    public func transactWriteItems(_ input: TransactWriteItemsInput, deadline: ContinuousClock.Instant?) async throws
        -> TransactWriteItemsOutput
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
        return (try? JSONDecoder().decode(Shape.self, from: Data(body)))?.reasons
    }

    /// For a `ConditionalCheckFailedException` with `returnValuesOnConditionCheckFailure: .allOld`,
    /// the item that failed the condition.
    public var conditionCheckFailureItem: DynamoDBItem? {
        guard isConditionalCheckFailed else { return nil }
        struct Shape: Decodable {
            var item: DynamoDBItem?
            enum CodingKeys: String, CodingKey { case item = "Item" }
        }
        return (try? JSONDecoder().decode(Shape.self, from: Data(body)))?.item
    }
}
