// notify: publishes a notification for each event of a notifiable type, exactly once.
// Configuration: NOTIFICATIONS_TOPIC_ARN and IDEMPOTENCY_TABLE (required), NOTIFY_TYPES
// (default "*.alert,*.failed"), the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import AWSSNS
import Idempotency
import LambdaMetrics
import LambdaRuntime
import NotifyFunction

await Lambda.run { context in
    let configuration = try NotifyConfiguration(environment: context.environment)
    let aws = try AWSConfiguration(environment: context.environment)
    let sns = SNSClient(configuration: aws)
    let store = DynamoDBIdempotencyStore(
        client: DynamoDBClient(configuration: aws), tableName: configuration.idempotencyTable)
    // Its business counts, and ColdStart, as one EMF line per invocation (LambdaMetrics).
    let handler = NotifyHandler(
        store: store, sns: sns, notificationsTopicARN: configuration.notificationsTopicARN,
        notifyTypes: configuration.notifyTypes,
        circuitBreaker: sns.transport.circuitBreaker)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
