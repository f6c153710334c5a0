import AWSDynamoDB
import Idempotency
import ProcessFunction

/// Where each function keeps its record of one event, as DynamoDB keys. The layouts are the
/// writers' own (the tests write records through them and read them back through these).
public enum EventRecordKeys {
    /// process: `EVENTS_TABLE`, `pk` = `EVENT#<id>`, `sk` = `EVENT`.
    public static func processed(id: String) -> DynamoDBItem {
        ProcessConfiguration.eventRecordKeySchema.key(for: id)
    }

    /// store: `AUDIT_TABLE`, `pk` = `<id>`, `sk` = `ORIGINAL`.
    public static func stored(id: String) -> DynamoDBItem {
        ["pk": .s(id), "sk": .s("ORIGINAL")]
    }

    /// store: a different payload that reused the id, kept aside under `sk` = `CONFLICT#<payload hash>`.
    public static let conflictSortKeyPrefix = "CONFLICT#"

    /// notify: `IDEMPOTENCY_TABLE`, `id` = `notify#<id>` (its two-phase record).
    public static func notified(id: String) -> DynamoDBItem {
        IdempotencyKeySchema.idempotencyTable.key(for: "notify#\(id)")
    }

    /// publish: `IDEMPOTENCY_TABLE`, `id` = `publish#event#<source>#<id>`. publish keeps a record
    /// only for a request it can recognise again: a complete CloudEvent sent without an
    /// `Idempotency-Key` has this one; a request with the header is keyed by its caller and
    /// the header's value (`publish#key#...`), which the id does not lead to; the short form
    /// without the header has none. So the source must be known first, from another record.
    public static func published(source: String, id: String) -> DynamoDBItem {
        IdempotencyKeySchema.idempotencyTable.key(for: "publish#event#\(source)#\(id)")
    }

    /// DynamoDB's limit on a partition key value, in bytes.
    public static let maximumPartitionKeyBytes = 2048

    /// The longest event id every key above but publish's holds (`notify#` is the longest prefix).
    public static let maximumIDBytes = maximumPartitionKeyBytes - "notify#".utf8.count
}

/// What the records say, read leniently: an attribute missing or of another type is absent.
extension DynamoDBItem {
    func string(_ name: String) -> String? {
        if case .s(let value)? = self[name] { value } else { nil }
    }

    func integer(_ name: String) -> Int64? {
        if case .n(let text)? = self[name] { Int64(text) } else { nil }
    }
}
