// publish: POST /events from API Gateway (REST or HTTP API) → SNS topic and/or EventBridge bus.
// Configuration: TOPIC_ARN and/or EVENT_BUS_NAME, IDEMPOTENCY_TABLE (required), EVENT_SOURCE
// (default "urn:swift-lambda-kit:publish"), the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import AWSEventBridge
import AWSSNS
import Idempotency
import LambdaMetrics
import LambdaRuntime
import PublishFunction

await Lambda.run { context in
    let configuration = try PublishConfiguration(environment: context.environment)
    let aws = try AWSConfiguration(environment: context.environment)
    let targets = PublishTargets(
        sns: configuration.topicARN.map { (client: SNSClient(configuration: aws), topicARN: $0) },
        eventBridge: configuration.eventBusName.map {
            (client: EventBridgeClient(configuration: aws), eventBusName: $0)
        })
    let store = DynamoDBIdempotencyStore(
        client: DynamoDBClient(configuration: aws), tableName: configuration.idempotencyTable)
    // Its business counts, and ColdStart, as one EMF line per invocation (LambdaMetrics).
    let handler = PublishHandler(store: store, targets: targets, defaultSource: configuration.eventSource)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
