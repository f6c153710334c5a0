// Links every AWS client into one binary, to measure what they add to a bootstrap's size:
//   swift build -c release --product AWSClientsProbe && ls -l .build/release/AWSClientsProbe
// With AWS credentials in the environment it also makes one real call per service.
import AWSCore
import AWSDynamoDB
import AWSEventBridge
import AWSSNS
import AWSSQS
import FoundationEssentials

let environment = ProcessInfo.processInfo.environment
do {
    let configuration = try AWSConfiguration(environment: environment)
    let dynamo = DynamoDBClient(configuration: configuration)
    let sqs = SQSClient(configuration: configuration)
    let sns = SNSClient(configuration: configuration)
    let events = EventBridgeClient(configuration: configuration)
    let item = try DynamoDBItemEncoder().encode(["pk": "probe"])
    _ = try? await dynamo.getItem(DynamoDB.GetItemInput(tableName: environment["PROBE_TABLE"] ?? "probe", key: item))
    _ = try? await sqs.getQueueUrl(SQS.GetQueueUrlRequest(queueName: "probe"))
    _ = try? await sns.publish(
        SNS.PublishInput(topicARN: "arn:aws:sns:\(configuration.region):000000000000:probe", message: "probe"))
    _ = try? await events.putEvents(
        EventBridge.PutEventsRequest(entries: [.init(source: "probe", detailType: "probe", detail: "{}")]))
    print("probe: done")
} catch {
    print("probe: \(error)")
}
