// store: the audit store. Keeps every event once, verbatim, in AUDIT_TABLE for RETENTION_DAYS.
// Configuration: AUDIT_TABLE (required), RETENTION_DAYS (default 365), the standard AWS_* variables.

import AWSCore
import AWSDynamoDB
import LambdaMetrics
import LambdaRuntime
import StoreFunction

await Lambda.run { context in
    let configuration = try StoreConfiguration(environment: context.environment)
    let dynamoDB = DynamoDBClient(configuration: try AWSConfiguration(environment: context.environment))
    // Its business counts, and ColdStart, as one EMF line per invocation (LambdaMetrics).
    let handler = StoreHandler(
        store: DynamoDBAuditStore(client: dynamoDB, tableName: configuration.auditTable),
        retentionDays: configuration.retentionDays)
    return MetricsHandler(handler, metrics: EmbeddedMetrics(environment: context.environment))
}
