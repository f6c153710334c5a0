// query: GET /events/{id} from the HTTP API → what became of the event: published, processed,
// stored, notified. Reads only.
// Configuration: IDEMPOTENCY_TABLE, EVENTS_TABLE, AUDIT_TABLE (required), NOTIFY_TYPES (notify's
// value; default "*.alert,*.failed"), the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import LambdaMetrics
import LambdaRuntime
import QueryFunction

await Lambda.run { context in
    let configuration = try QueryConfiguration(environment: context.environment)
    let dynamoDB = DynamoDBClient(configuration: try AWSConfiguration(environment: context.environment))
    // Refused and Failed answers, and ColdStart, as one EMF line per invocation (LambdaMetrics).
    let handler = QueryHandler(client: dynamoDB, configuration: configuration)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
