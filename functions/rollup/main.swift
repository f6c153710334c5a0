// rollup: each minute (an EventBridge schedule, through an SQS queue), adds the previous
// minute's per-type counters to hourly totals in EVENTS_TABLE, once, and puts a summary event
// for the minute on EVENT_BUS_NAME.
// Configuration: EVENTS_TABLE, EVENT_BUS_NAME (required), COUNTERS_INDEX (default
// CountersByMinute), and the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import AWSEventBridge
import Idempotency
import LambdaMetrics
import LambdaRuntime
import RollupFunction

await Lambda.run { context in
    let configuration = try RollupConfiguration(environment: context.environment)
    let aws = try AWSConfiguration(environment: context.environment)
    let dynamoDB = DynamoDBClient(configuration: aws)
    let handler = RollupHandler(
        counters: DynamoDBMinuteCounters(
            client: dynamoDB, tableName: configuration.eventsTable, indexName: configuration.countersIndex),
        store: DynamoDBIdempotencyStore(
            client: dynamoDB, tableName: configuration.eventsTable,
            keySchema: RollupConfiguration.rollupRecordKeySchema),
        bus: EventBridgeSummaryBus(client: EventBridgeClient(configuration: aws), busName: configuration.eventBusName),
        eventsTable: configuration.eventsTable)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
