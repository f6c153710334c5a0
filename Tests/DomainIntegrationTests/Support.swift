import AWSDynamoDB
import AWSSNS
import AWSSQS
import Foundation
import LambdaEmulator
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

@testable import AWSCore

/// The AWS endpoint (moto_server under `make test`), and the setup calls the kit's clients
/// do not carry (CreateTable, CreateTopic, Subscribe, CreateQueue), sent signed through the
/// same transports.
struct AWS {
    let configuration: AWSConfiguration
    let dynamoDB: DynamoDBClient
    let sns: SNSClient
    let sqs: SQSClient

    init() throws {
        configuration = try Endpoint.configuration()
        dynamoDB = DynamoDBClient(configuration: configuration)
        sns = SNSClient(configuration: configuration)
        sqs = SQSClient(configuration: configuration)
    }

    /// A table with the contract's key schema: `id`, or `pk` + `sk`.
    func createTable(_ prefix: String, sortKey: Bool) async throws -> String {
        let name = Endpoint.uniqueName(prefix)
        let keys = sortKey ? [("pk", "HASH"), ("sk", "RANGE")] : [("id", "HASH")]
        try await Endpoint.json(
            dynamoDB.transport, "CreateTable",
            [
                "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": keys.map { ["AttributeName": $0.0, "AttributeType": "S"] },
                "KeySchema": keys.map { ["AttributeName": $0.0, "KeyType": $0.1] },
            ])
        return name
    }

    func createQueue(_ prefix: String, fifo: Bool = false) async throws -> (url: String, arn: String) {
        let name = Endpoint.uniqueName(prefix) + (fifo ? ".fifo" : "")
        var input: [String: Any] = ["QueueName": name]
        if fifo { input["Attributes"] = ["FifoQueue": "true"] }
        let url = try #require(try await Endpoint.json(sqs.transport, "CreateQueue", input)["QueueUrl"] as? String)
        let arn = try #require(
            try await sqs.getQueueAttributes(SQS.GetQueueAttributesRequest(queueURL: url, attributeNames: ["QueueArn"]))
                .attributes?[.queueARN])
        return (url, arn)
    }

    /// A topic with a queue subscribed (raw delivery off: the body is the SNS notification);
    /// a FIFO topic has a FIFO queue subscribed.
    func createTopicWithQueue(_ prefix: String, fifo: Bool = false) async throws -> (topicARN: String, queueURL: String)
    {
        var create = QueryParameters()
        create.add("Name", Endpoint.uniqueName(prefix) + (fifo ? ".fifo" : ""))
        if fifo {
            create.add("Attributes.entry.1.key", "FifoTopic")
            create.add("Attributes.entry.1.value", "true")
        }
        let topicARN = try #require(
            try await sns.transport.sendQuery(operation: "CreateTopic", parameters: create, deadline: nil).descendant(
                "TopicArn")?.text)
        let queue = try await createQueue(prefix + "-subscriber", fifo: fifo)
        var subscribe = QueryParameters()
        subscribe.add("TopicArn", topicARN)
        subscribe.add("Protocol", "sqs")
        subscribe.add("Endpoint", queue.arn)
        _ = try await sns.transport.sendQuery(operation: "Subscribe", parameters: subscribe, deadline: nil)
        return (topicARN, queue.url)
    }

    /// Every message on the queue now (moto delivers at once), with a short wait for stragglers.
    func drain(_ queueURL: String) async throws -> [SQS.Message] {
        var messages: [SQS.Message] = []
        while true {
            let batch =
                try await sqs.receiveMessage(
                    SQS.ReceiveMessageRequest(
                        queueURL: queueURL, maxNumberOfMessages: 10, visibilityTimeout: 300, waitTimeSeconds: 1)
                ).messages ?? []
            if batch.isEmpty { return messages }
            messages += batch
        }
    }

    func item(_ table: String, _ key: DynamoDBItem) async throws -> DynamoDBItem? {
        try await dynamoDB.getItem(DynamoDB.GetItemInput(tableName: table, key: key, consistentRead: true)).item
    }

    func allItems(_ table: String) async throws -> [DynamoDBItem] {
        let response = try await Endpoint.json(
            dynamoDB.transport, "Scan", ["TableName": table, "ConsistentRead": true])
        let data = try JSONSerialization.data(withJSONObject: response["Items"] ?? [])
        return try JSONDecoder().decode([DynamoDBItem].self, from: data)
    }
}

func sampleEvent(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("events/\(name)")))
}

/// A function as a real bootstrap process under the Runtime API emulator.
func localLambda(
    _ function: String, environment: [String: String], timeout: Duration = .seconds(10),
    output: OutputCapture = OutputCapture()
) throws -> LocalLambda {
    try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: [Products.path(function)], functionName: function, timeout: timeout, environment: environment,
            functionOutput: output.sink))
}

/// `lambda-local invoke FUNCTION EVENT --env K=V ...`, as a user runs it.
func lambdaLocalInvoke(_ function: String, event: String, environment: [String: String], timeout: Int = 10) throws
    -> ProcessResult
{
    try run(
        [
            Products.path("lambda-local"), "invoke", function, event, "--timeout", String(timeout), "--build-path",
            Products.directory.path,
        ]
            + environment.sorted { $0.key < $1.key }.flatMap { ["--env", "\($0.key)=\($0.value)"] },
        directory: repositoryRoot.path)
}

/// The CloudWatch EMF objects among a function's output lines (`{"_aws":...}`).
func embeddedMetrics(in output: String) throws -> [[String: Any]] {
    try output.split(separator: "\n").filter { $0.hasPrefix(#"{"_aws":"#) }.map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
    }
}

func batchFailures(_ payload: [UInt8]) -> [String]? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
        let failures = object["batchItemFailures"] as? [[String: Any]]
    else { return nil }
    return failures.compactMap { $0["itemIdentifier"] as? String }
}
