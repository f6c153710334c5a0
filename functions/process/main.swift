// process: counts each new event once, per type and minute, in EVENTS_TABLE.
// Configuration: EVENTS_TABLE (required), and the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import Idempotency
import LambdaMetrics
import LambdaRuntime
import ProcessFunction

await Lambda.run { context in
    let configuration = try ProcessConfiguration(environment: context.environment)
    let dynamoDB = DynamoDBClient(configuration: try AWSConfiguration(environment: context.environment))
    let store = DynamoDBIdempotencyStore(
        client: dynamoDB, tableName: configuration.eventsTable, keySchema: ProcessConfiguration.eventRecordKeySchema,
        timeToLive: configuration.recordRetention)
    // Its business counts, and ColdStart, as one EMF line per invocation (LambdaMetrics).
    let handler = ProcessHandler(store: store, eventsTable: configuration.eventsTable)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
