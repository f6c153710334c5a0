import AWSCore
import AWSDynamoDB
import AWSEventBridge
import AWSSNS
import AWSSQS
import Foundation
import LambdaEvents
import LambdaHTTP

/// The control-plane calls provisioning and the DLQ commands need (CreateQueue, Subscribe,
/// PutRule, CreateTable, ...). They belong to the developer tool, never to a bootstrap, so
/// they live here rather than in the lean service clients; they go through the same signed
/// transport with its retries.
public struct AWSAdmin: Sendable {
    public let configuration: AWSConfiguration
    public let sqsTransport: AWSTransport
    let snsTransport: AWSTransport
    let eventsTransport: AWSTransport
    let dynamoDBTransport: AWSTransport
    let cognitoTransport: AWSTransport

    public init(configuration: AWSConfiguration, httpClient: HTTPClient = HTTPClient()) {
        self.configuration = configuration
        let options = AWSTransport.Options(retryPolicy: RetryPolicy(maximumAttempts: 4), attemptTimeout: .seconds(30))
        // A registry of its own: the tool's calls must not trip the functions' breakers, nor
        // theirs ours.
        let breakers = CircuitBreakerRegistry()
        sqsTransport = AWSTransport(
            service: .sqs, configuration: configuration, options: options, httpClient: httpClient,
            circuitBreakers: breakers)
        snsTransport = AWSTransport(
            service: .sns, configuration: configuration, options: options, httpClient: httpClient,
            circuitBreakers: breakers)
        eventsTransport = AWSTransport(
            service: .eventBridge, configuration: configuration, options: options, httpClient: httpClient,
            circuitBreakers: breakers)
        dynamoDBTransport = AWSTransport(
            service: .dynamoDB, configuration: configuration, options: options, httpClient: httpClient,
            circuitBreakers: breakers)
        cognitoTransport = AWSTransport(
            service: .cognitoIdentityProvider, configuration: configuration, options: options, httpClient: httpClient,
            circuitBreakers: breakers)
    }

    public var sqs: SQSClient { SQSClient(transport: sqsTransport) }

    // MARK: SQS

    /// Creates the queue (or finds it, when it exists with the same attributes) and returns its URL.
    public func createQueue(name: String, attributes: [String: String]) async throws -> String {
        var body: [String: JSONValue] = ["QueueName": .string(name)]
        if !attributes.isEmpty { body["Attributes"] = .object(attributes.mapValues(JSONValue.string)) }
        let output = try await json(sqsTransport, "CreateQueue", .object(body))
        guard case .string(let url)? = output["QueueUrl"] else {
            throw AdminError.unexpected(operation: "SQS.CreateQueue", output: output)
        }
        return url
    }

    public func setQueueAttributes(url: String, attributes: [String: String]) async throws {
        _ = try await json(
            sqsTransport, "SetQueueAttributes",
            .object([
                "QueueUrl": .string(url), "Attributes": .object(attributes.mapValues(JSONValue.string)),
            ]))
    }

    public func queueAttributes(url: String, names: [String] = ["All"]) async throws -> [String: String] {
        let attributes = try await sqs.getQueueAttributes(
            SQS.GetQueueAttributesRequest(
                queueURL: url, attributeNames: names.map(SQS.QueueAttributeName.init(rawValue:))),
            deadline: nil
        ).attributes
        return Dictionary(uniqueKeysWithValues: (attributes ?? [:]).map { ($0.key.rawValue, $0.value) })
    }

    public func queueURL(name: String) async throws -> String {
        guard let url = try await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: name), deadline: nil).queueURL
        else {
            throw AWSTransportError.invalidResponse(service: "SQS", operation: "GetQueueUrl", reason: "no QueueUrl")
        }
        return url
    }

    public func listQueues(prefix: String? = nil) async throws -> [String] {
        var body: [String: JSONValue] = [:]
        if let prefix { body["QueueNamePrefix"] = .string(prefix) }
        let output = try await json(sqsTransport, "ListQueues", .object(body))
        guard case .array(let urls)? = output["QueueUrls"] else { return [] }
        return urls.compactMap { if case .string(let url) = $0 { url } else { nil } }
    }

    // MARK: SNS

    public func createTopic(name: String, attributes: [String: String]) async throws -> String {
        var parameters = QueryParameters()
        parameters.add("Name", name)
        for (index, (key, value)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.add("Attributes.entry.\(index + 1).key", key)
            parameters.add("Attributes.entry.\(index + 1).value", value)
        }
        let root = try await snsTransport.sendQuery(operation: "CreateTopic", parameters: parameters, deadline: nil)
        guard let arn = root.descendant("TopicArn")?.text else {
            throw AdminError.unexpected(operation: "SNS.CreateTopic", output: .null)
        }
        return arn
    }

    public func subscribe(topicARN: String, protocol scheme: String, endpoint: String, attributes: [String: String])
        async throws -> String
    {
        var parameters = QueryParameters()
        parameters.add("TopicArn", topicARN)
        parameters.add("Protocol", scheme)
        parameters.add("Endpoint", endpoint)
        for (index, (key, value)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.add("Attributes.entry.\(index + 1).key", key)
            parameters.add("Attributes.entry.\(index + 1).value", value)
        }
        parameters.add("ReturnSubscriptionArn", "true")
        let root = try await snsTransport.sendQuery(operation: "Subscribe", parameters: parameters, deadline: nil)
        guard let arn = root.descendant("SubscriptionArn")?.text else {
            throw AdminError.unexpected(operation: "SNS.Subscribe", output: .null)
        }
        return arn
    }

    // MARK: EventBridge

    public func createEventBus(name: String) async throws -> String {
        do {
            let output = try await json(eventsTransport, "CreateEventBus", .object(["Name": .string(name)]))
            if case .string(let arn)? = output["EventBusArn"] { return arn }
        } catch let error as AWSError where error.code.rawValue == "ResourceAlreadyExistsException" {}
        let described = try await json(eventsTransport, "DescribeEventBus", .object(["Name": .string(name)]))
        guard case .string(let arn)? = described["Arn"] else {
            throw AdminError.unexpected(operation: "EventBridge.DescribeEventBus", output: described)
        }
        return arn
    }

    public func putRule(name: String, eventBusName: String, eventPattern: String) async throws -> String {
        let output = try await json(
            eventsTransport, "PutRule",
            .object([
                "Name": .string(name), "EventBusName": .string(eventBusName), "EventPattern": .string(eventPattern),
                "State": .string("ENABLED"),
            ]))
        guard case .string(let arn)? = output["RuleArn"] else {
            throw AdminError.unexpected(operation: "EventBridge.PutRule", output: output)
        }
        return arn
    }

    /// moto (5.x) delivers events to targets through a default input template that leaves
    /// out `account`, which AWS always sends and event models require; and it evaluates that
    /// template's eight JSONPaths with a parser it rebuilds on every call (~120 ms a target).
    /// A target without a transformer of its own gets one that passes the whole event
    /// through (one path, `$`): the envelope AWS delivers, several times faster.
    static let wholeEventTransformer: JSONValue = .object([
        "InputPathsMap": .object(["event": .string("$")]),
        "InputTemplate": .string("<event>"),
    ])

    public func putTargets(rule: String, eventBusName: String, targets: [(id: String, arn: String)]) async throws {
        let output = try await json(
            eventsTransport, "PutTargets",
            .object([
                "Rule": .string(rule), "EventBusName": .string(eventBusName),
                "Targets": .array(
                    targets.map {
                        .object([
                            "Id": .string($0.id), "Arn": .string($0.arn),
                            "InputTransformer": Self.wholeEventTransformer,
                        ])
                    }),
            ]))
        if case .integer(let failed)? = output["FailedEntryCount"], failed > 0 {
            throw AdminError.unexpected(operation: "EventBridge.PutTargets", output: output)
        }
    }

    // MARK: DynamoDB

    /// Creates the table unless it exists; turns TTL on when `ttlAttribute` is given.
    public func createTable(name: String, definition: JSONValue, ttlAttribute: String?) async throws -> String {
        guard case .object(var body) = definition else {
            throw AdminError.unexpected(operation: "DynamoDB.CreateTable", output: definition)
        }
        body["TableName"] = .string(name)
        var arn: String?
        do {
            let output = try await json(dynamoDBTransport, "CreateTable", .object(body))
            if case .string(let created)? = output["TableDescription"]?["TableArn"] { arn = created }
        } catch let error as AWSError where error.code == .resourceInUse {}
        if arn == nil {
            let described = try await json(dynamoDBTransport, "DescribeTable", .object(["TableName": .string(name)]))
            if case .string(let existing)? = described["Table"]?["TableArn"] { arn = existing }
        }
        if let ttlAttribute {
            _ = try await json(
                dynamoDBTransport, "UpdateTimeToLive",
                .object([
                    "TableName": .string(name),
                    "TimeToLiveSpecification": .object(["AttributeName": .string(ttlAttribute), "Enabled": .bool(true)]
                    ),
                ]))
        }
        return arn ?? "arn:aws:dynamodb:\(configuration.region):123456789012:table/\(name)"
    }

    /// Every item of a table (consistent reads, all pages), for checks and tools.
    public func scan(table: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var startKey: JSONValue?
        repeat {
            var body: [String: JSONValue] = ["TableName": .string(table), "ConsistentRead": .bool(true)]
            if let startKey { body["ExclusiveStartKey"] = startKey }
            let output = try await json(dynamoDBTransport, "Scan", .object(body))
            if case .array(let page)? = output["Items"] { items += page }
            startKey = output["LastEvaluatedKey"]
        } while startKey != nil && startKey != .null
        return items
    }

    // MARK: Wire

    /// One JSON-protocol call with a free-form body.
    public func json(_ transport: AWSTransport, _ operation: String, _ body: JSONValue) async throws -> JSONValue {
        guard case .json(let version, let prefix) = transport.service.wireProtocol else {
            preconditionFailure("\(transport.service.name) does not speak JSON")
        }
        let response = try await transport.send(
            operation: operation,
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation)"],
            body: Array(try JSONEncoder().encode(body)), deadline: .now + .seconds(60))
        guard !response.body.isEmpty else { return .object([:]) }
        return try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }
}

extension AWSErrorCode {
    static let resourceInUse: AWSErrorCode = "ResourceInUseException"
}

public enum AdminError: Error, CustomStringConvertible {
    case unexpected(operation: String, output: JSONValue)

    public var description: String {
        switch self {
        case .unexpected(let operation, let output): "\(operation) answered without what it should return: \(output)"
        }
    }
}
