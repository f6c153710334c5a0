/// Shapes of the DynamoDB operations the kit carries, named and laid out as in the service
/// model (botocore `dynamodb/2012-08-10/service-2.json`). Only the expression-based forms are
/// offered: the legacy `Expected`, `AttributeUpdates` and `KeyConditions` parameters are not.

public enum ReturnValue: String, Sendable, Codable {
    case none = "NONE", allOld = "ALL_OLD", updatedOld = "UPDATED_OLD", allNew = "ALL_NEW", updatedNew = "UPDATED_NEW"
}

public enum ReturnValuesOnConditionCheckFailure: String, Sendable, Codable {
    case none = "NONE", allOld = "ALL_OLD"
}

public enum ReturnConsumedCapacity: String, Sendable, Codable {
    case indexes = "INDEXES", total = "TOTAL", none = "NONE"
}

public enum Select: String, Sendable, Codable {
    case allAttributes = "ALL_ATTRIBUTES", allProjectedAttributes = "ALL_PROJECTED_ATTRIBUTES"
    case specificAttributes = "SPECIFIC_ATTRIBUTES", count = "COUNT"
}

public struct Capacity: Sendable, Codable, Equatable {
    public var readCapacityUnits: Double?
    public var writeCapacityUnits: Double?
    public var capacityUnits: Double?
    enum CodingKeys: String, CodingKey {
        case readCapacityUnits = "ReadCapacityUnits", writeCapacityUnits = "WriteCapacityUnits", capacityUnits =
            "CapacityUnits"
    }
}

public struct ConsumedCapacity: Sendable, Codable, Equatable {
    public var tableName: String?
    public var capacityUnits: Double?
    public var readCapacityUnits: Double?
    public var writeCapacityUnits: Double?
    public var table: Capacity?
    public var localSecondaryIndexes: [String: Capacity]?
    public var globalSecondaryIndexes: [String: Capacity]?
    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", capacityUnits = "CapacityUnits", readCapacityUnits = "ReadCapacityUnits"
        case writeCapacityUnits = "WriteCapacityUnits", table = "Table"
        case localSecondaryIndexes = "LocalSecondaryIndexes", globalSecondaryIndexes = "GlobalSecondaryIndexes"
    }
}

public enum ReturnItemCollectionMetrics: String, Sendable, Codable {
    case size = "SIZE", none = "NONE"
}

public struct ItemCollectionMetrics: Sendable, Codable, Equatable {
    public var itemCollectionKey: DynamoDBItem?
    public var sizeEstimateRangeGB: [Double]?
    enum CodingKeys: String, CodingKey {
        case itemCollectionKey = "ItemCollectionKey", sizeEstimateRangeGB = "SizeEstimateRangeGB"
    }
}

// MARK: PutItem

public struct PutItemInput: Sendable, Encodable, Equatable {
    public var tableName: String
    public var item: DynamoDBItem
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: DynamoDBItem?
    public var returnValues: ReturnValue?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnItemCollectionMetrics: ReturnItemCollectionMetrics?

    public init(
        tableName: String, item: DynamoDBItem, conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil,
        expressionAttributeValues: DynamoDBItem? = nil, returnValues: ReturnValue? = nil,
        returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil,
        returnConsumedCapacity: ReturnConsumedCapacity? = nil,
        returnItemCollectionMetrics: ReturnItemCollectionMetrics? = nil
    ) {
        self.tableName = tableName
        self.item = item
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        self.returnConsumedCapacity = returnConsumedCapacity
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
            "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case returnConsumedCapacity = "ReturnConsumedCapacity", returnItemCollectionMetrics =
            "ReturnItemCollectionMetrics"
    }
}

public struct PutItemOutput: Sendable, Decodable, Equatable {
    public var attributes: DynamoDBItem?
    public var consumedCapacity: ConsumedCapacity?
    public var itemCollectionMetrics: ItemCollectionMetrics?
    public init(
        attributes: DynamoDBItem? = nil, consumedCapacity: ConsumedCapacity? = nil,
        itemCollectionMetrics: ItemCollectionMetrics? = nil
    ) {
        self.attributes = attributes
        self.consumedCapacity = consumedCapacity
        self.itemCollectionMetrics = itemCollectionMetrics
    }
    enum CodingKeys: String, CodingKey {
        case attributes = "Attributes", consumedCapacity = "ConsumedCapacity", itemCollectionMetrics =
            "ItemCollectionMetrics"
    }
}

// MARK: GetItem

public struct GetItemInput: Sendable, Encodable, Equatable {
    public var tableName: String
    public var key: DynamoDBItem
    public var consistentRead: Bool?
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var returnConsumedCapacity: ReturnConsumedCapacity?

    public init(
        tableName: String, key: DynamoDBItem, consistentRead: Bool? = nil, projectionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil, returnConsumedCapacity: ReturnConsumedCapacity? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", consistentRead = "ConsistentRead", projectionExpression =
            "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", returnConsumedCapacity = "ReturnConsumedCapacity"
    }
}

public struct GetItemOutput: Sendable, Decodable, Equatable {
    /// `nil` when no item has the key.
    public var item: DynamoDBItem?
    public var consumedCapacity: ConsumedCapacity?
    public init(item: DynamoDBItem? = nil, consumedCapacity: ConsumedCapacity? = nil) {
        self.item = item
        self.consumedCapacity = consumedCapacity
    }
    enum CodingKeys: String, CodingKey { case item = "Item", consumedCapacity = "ConsumedCapacity" }
}

// MARK: UpdateItem

public struct UpdateItemInput: Sendable, Encodable, Equatable {
    public var tableName: String
    public var key: DynamoDBItem
    public var updateExpression: String?
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: DynamoDBItem?
    public var returnValues: ReturnValue?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnItemCollectionMetrics: ReturnItemCollectionMetrics?

    public init(
        tableName: String, key: DynamoDBItem, updateExpression: String? = nil, conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: DynamoDBItem? = nil,
        returnValues: ReturnValue? = nil,
        returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil,
        returnConsumedCapacity: ReturnConsumedCapacity? = nil,
        returnItemCollectionMetrics: ReturnItemCollectionMetrics? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.updateExpression = updateExpression
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        self.returnConsumedCapacity = returnConsumedCapacity
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression =
            "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
            "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case returnConsumedCapacity = "ReturnConsumedCapacity", returnItemCollectionMetrics =
            "ReturnItemCollectionMetrics"
    }
}

public typealias UpdateItemOutput = PutItemOutput

// MARK: DeleteItem

public struct DeleteItemInput: Sendable, Encodable, Equatable {
    public var tableName: String
    public var key: DynamoDBItem
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: DynamoDBItem?
    public var returnValues: ReturnValue?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnItemCollectionMetrics: ReturnItemCollectionMetrics?

    public init(
        tableName: String, key: DynamoDBItem, conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil,
        expressionAttributeValues: DynamoDBItem? = nil, returnValues: ReturnValue? = nil,
        returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil,
        returnConsumedCapacity: ReturnConsumedCapacity? = nil,
        returnItemCollectionMetrics: ReturnItemCollectionMetrics? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        self.returnConsumedCapacity = returnConsumedCapacity
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
            "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case returnConsumedCapacity = "ReturnConsumedCapacity", returnItemCollectionMetrics =
            "ReturnItemCollectionMetrics"
    }
}

public typealias DeleteItemOutput = PutItemOutput

// MARK: Query

public struct QueryInput: Sendable, Encodable, Equatable {
    public var tableName: String
    public var indexName: String?
    public var keyConditionExpression: String
    public var filterExpression: String?
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: DynamoDBItem?
    public var select: Select?
    public var limit: Int?
    public var consistentRead: Bool?
    public var scanIndexForward: Bool?
    /// The previous page's `lastEvaluatedKey`.
    public var exclusiveStartKey: DynamoDBItem?
    public var returnConsumedCapacity: ReturnConsumedCapacity?

    public init(
        tableName: String, indexName: String? = nil, keyConditionExpression: String, filterExpression: String? = nil,
        projectionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
        expressionAttributeValues: DynamoDBItem? = nil, select: Select? = nil, limit: Int? = nil,
        consistentRead: Bool? = nil,
        scanIndexForward: Bool? = nil, exclusiveStartKey: DynamoDBItem? = nil,
        returnConsumedCapacity: ReturnConsumedCapacity? = nil
    ) {
        self.tableName = tableName
        self.indexName = indexName
        self.keyConditionExpression = keyConditionExpression
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.select = select
        self.limit = limit
        self.consistentRead = consistentRead
        self.scanIndexForward = scanIndexForward
        self.exclusiveStartKey = exclusiveStartKey
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", indexName = "IndexName", keyConditionExpression = "KeyConditionExpression"
        case filterExpression = "FilterExpression", projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
            "ExpressionAttributeValues"
        case select = "Select", limit = "Limit", consistentRead = "ConsistentRead", scanIndexForward =
            "ScanIndexForward"
        case exclusiveStartKey = "ExclusiveStartKey", returnConsumedCapacity = "ReturnConsumedCapacity"
    }
}

public struct QueryOutput: Sendable, Decodable, Equatable {
    public var items: [DynamoDBItem]
    public var count: Int
    public var scannedCount: Int
    /// Present when there is another page: pass it as the next `exclusiveStartKey`.
    public var lastEvaluatedKey: DynamoDBItem?
    public var consumedCapacity: ConsumedCapacity?

    public init(
        items: [DynamoDBItem] = [], count: Int? = nil, scannedCount: Int? = nil, lastEvaluatedKey: DynamoDBItem? = nil,
        consumedCapacity: ConsumedCapacity? = nil
    ) {
        self.items = items
        self.count = count ?? items.count
        self.scannedCount = scannedCount ?? items.count
        self.lastEvaluatedKey = lastEvaluatedKey
        self.consumedCapacity = consumedCapacity
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decodeIfPresent([DynamoDBItem].self, forKey: .items) ?? []
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? items.count
        scannedCount = try container.decodeIfPresent(Int.self, forKey: .scannedCount) ?? count
        lastEvaluatedKey = try container.decodeIfPresent(DynamoDBItem.self, forKey: .lastEvaluatedKey)
        consumedCapacity = try container.decodeIfPresent(ConsumedCapacity.self, forKey: .consumedCapacity)
    }

    enum CodingKeys: String, CodingKey {
        case items = "Items", count = "Count", scannedCount = "ScannedCount", lastEvaluatedKey = "LastEvaluatedKey",
            consumedCapacity = "ConsumedCapacity"
    }
}

// MARK: TransactWriteItems

/// One action of a transaction; each is its own shape in the model (`Put`, `Update`, ...).
public enum TransactWriteItem: Sendable, Encodable, Equatable {
    case conditionCheck(ConditionCheck)
    case put(Put)
    case update(Update)
    case delete(Delete)

    public struct ConditionCheck: Sendable, Encodable, Equatable {
        public var tableName: String
        public var key: DynamoDBItem
        public var conditionExpression: String
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        public init(
            tableName: String, key: DynamoDBItem, conditionExpression: String,
            expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil,
            returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName
            self.key = key
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames
            self.expressionAttributeValues = expressionAttributeValues
            self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
                "ExpressionAttributeValues"
            case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
    }

    public struct Put: Sendable, Encodable, Equatable {
        public var tableName: String
        public var item: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        public init(
            tableName: String, item: DynamoDBItem, conditionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil,
            returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName
            self.item = item
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames
            self.expressionAttributeValues = expressionAttributeValues
            self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
                "ExpressionAttributeValues"
            case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
    }

    public struct Update: Sendable, Encodable, Equatable {
        public var tableName: String
        public var key: DynamoDBItem
        public var updateExpression: String
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        public init(
            tableName: String, key: DynamoDBItem, updateExpression: String, conditionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: DynamoDBItem? = nil,
            returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName
            self.key = key
            self.updateExpression = updateExpression
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames
            self.expressionAttributeValues = expressionAttributeValues
            self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression =
                "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
                "ExpressionAttributeValues"
            case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
    }

    public struct Delete: Sendable, Encodable, Equatable {
        public var tableName: String
        public var key: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        public init(
            tableName: String, key: DynamoDBItem, conditionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil,
            returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName
            self.key = key
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames
            self.expressionAttributeValues = expressionAttributeValues
            self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues =
                "ExpressionAttributeValues"
            case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
    }

    enum CodingKeys: String, CodingKey {
        case conditionCheck = "ConditionCheck", put = "Put", update = "Update", delete = "Delete"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .conditionCheck(let action): try container.encode(action, forKey: .conditionCheck)
        case .put(let action): try container.encode(action, forKey: .put)
        case .update(let action): try container.encode(action, forKey: .update)
        case .delete(let action): try container.encode(action, forKey: .delete)
        }
    }
}

public struct TransactWriteItemsInput: Sendable, Encodable, Equatable {
    public var transactItems: [TransactWriteItem]
    /// Makes a retried transaction idempotent for 10 minutes.
    public var clientRequestToken: String?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnItemCollectionMetrics: ReturnItemCollectionMetrics?

    public init(
        transactItems: [TransactWriteItem], clientRequestToken: String? = nil,
        returnConsumedCapacity: ReturnConsumedCapacity? = nil,
        returnItemCollectionMetrics: ReturnItemCollectionMetrics? = nil
    ) {
        self.transactItems = transactItems
        self.clientRequestToken = clientRequestToken
        self.returnConsumedCapacity = returnConsumedCapacity
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }

    enum CodingKeys: String, CodingKey {
        case transactItems = "TransactItems", clientRequestToken = "ClientRequestToken"
        case returnConsumedCapacity = "ReturnConsumedCapacity", returnItemCollectionMetrics =
            "ReturnItemCollectionMetrics"
    }
}

public struct TransactWriteItemsOutput: Sendable, Decodable, Equatable {
    public var consumedCapacity: [ConsumedCapacity]?
    public var itemCollectionMetrics: [String: [ItemCollectionMetrics]]?
    public init(
        consumedCapacity: [ConsumedCapacity]? = nil, itemCollectionMetrics: [String: [ItemCollectionMetrics]]? = nil
    ) {
        self.consumedCapacity = consumedCapacity
        self.itemCollectionMetrics = itemCollectionMetrics
    }
    enum CodingKeys: String, CodingKey {
        case consumedCapacity = "ConsumedCapacity", itemCollectionMetrics = "ItemCollectionMetrics"
    }
}
