import AWSCore
import AWSDynamoDB
import HTTPProblem
import Idempotency
import JSONCoding
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging
import NotifyFunction
import TextEncodings
import UTCTime

/// `query`'s configuration, from its environment.
public struct QueryConfiguration: Sendable, Equatable {
    /// `IDEMPOTENCY_TABLE`: publish's and notify's records.
    public var idempotencyTable: String
    /// `EVENTS_TABLE`: process's event records.
    public var eventsTable: String
    /// `AUDIT_TABLE`: store's originals and conflicts.
    public var auditTable: String
    /// `NOTIFY_TYPES` (notify's default `*.alert,*.failed`): which events notify is expected to
    /// notify; give it notify's value.
    public var notifyTypes: [EventTypePattern]

    public init(idempotencyTable: String, eventsTable: String, auditTable: String, notifyTypes: [EventTypePattern]) {
        self.idempotencyTable = idempotencyTable
        self.eventsTable = eventsTable
        self.auditTable = auditTable
        self.notifyTypes = notifyTypes
    }

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        let idempotency = try reader.tableName(
            "IDEMPOTENCY_TABLE", "the DynamoDB table of publish's and notify's idempotency records")
        let events = try reader.tableName("EVENTS_TABLE", "the DynamoDB table of process's event records")
        let audit = try reader.tableName("AUDIT_TABLE", "the DynamoDB audit table of store")
        let patterns = reader.list("NOTIFY_TYPES", default: NotifyConfiguration.defaultNotifyTypes)
        guard !patterns.isEmpty else {
            throw ConfigurationError(
                variable: "NOTIFY_TYPES",
                problem: "names no event type pattern (e.g. \(NotifyConfiguration.defaultNotifyTypes))")
        }
        self.init(
            idempotencyTable: idempotency, eventsTable: events, auditTable: audit,
            notifyTypes: patterns.map(EventTypePattern.init))
    }
}

/// `query`: `GET /events/{id}` from an HTTP API (payload 2.0). Reads what each function of the
/// pipeline recorded of the event and answers `200 application/json`:
///
/// ```json
/// {"id": "...", "type": "...", "source": "...", "subject": "..." | null, "time": "..." | null,
///  "published": {"at": "..." | null},
///  "processed": {"at": "...", "minute": "...", "carrier": "...", "payloadHash": "..."} | null,
///  "stored": {"at": "...", "payloadHash": "...", "carrier": "...", "conflicts": [{"payloadHash": "...", "at": "..."}]} | null,
///  "notified": {"at": "...", "messageId": "..."} | null}
/// ```
///
/// A stage not reached yet is `null`. `notified` is there only for an event whose type matches
/// `NOTIFY_TYPES` (or that notify has a record of); `null` until notify has sent it. An id no
/// function has a record of is 404; a missing or oversized id 400; a DynamoDB failure 502 or
/// 503. Errors are RFC 9457 problems (`ProblemDetails`). It only reads (GetItem and Query).
public struct QueryHandler: LambdaHandler {
    /// How long publish's and notify's idempotency records keep their key: the default of
    /// `DynamoDBIdempotencyStore`, which both use. Their records hold no time of their own, so
    /// when they were written is their `expiresAt` less this, to the second.
    public static let idempotencyRecordTimeToLive: Duration = .seconds(3600)
    /// Conflicting payloads listed per event, at most.
    public static let maximumConflictsListed = 100

    public let client: any DynamoDBClientProtocol
    public let configuration: QueryConfiguration

    public init(client: any DynamoDBClientProtocol, configuration: QueryConfiguration) {
        self.client = client
        self.configuration = configuration
    }

    public func handle(_ request: APIGatewayV2Request, context: LambdaContext) async throws -> APIGatewayV2Response {
        let requestID = request.requestContext.requestID
        var logger = context.logger
        logger[metadataKey: "apiRequestId"] = .string(requestID)
        do {
            guard request.requestContext.http.method.uppercased() == "GET" else {
                throw ProblemDetails(
                    status: 405, type: "method-not-allowed", title: "Method Not Allowed",
                    detail: "an event's status is read with GET, not \(request.requestContext.http.method)",
                    headers: ["Allow": "GET"])
            }
            let id = try Self.eventID(of: request)
            logger[metadataKey: "correlationId"] = .string(id)
            let records = try await lookUp(id, deadline: context.deadline, logger: logger)
            guard let status = status(of: id, records) else {
                throw ProblemDetails(
                    status: 404, type: "event-not-found", title: "Not Found",
                    detail:
                        "no function has a record of event \(id): the id is unknown, or the event was published moments ago and has not been processed, stored or notified yet"
                )
            }
            logger.info(
                "found",
                metadata: [
                    "processed": "\(records.processed != nil)", "stored": "\(records.stored != nil)",
                    "notified": "\(records.notified?.string("status") == IdempotencyStatus.completed.rawValue)",
                ])
            return APIGatewayV2Response(
                statusCode: 200, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                body: String(decoding: try JSON.encode(status, options: .init(sortedKeys: true)), as: UTF8.self))
        } catch let problem as ProblemDetails {
            Metrics.add(problem.status >= 500 ? "Failed" : "Refused")
            logger.warning(
                "refused",
                metadata: [
                    "status": "\(problem.status)", "problem": .string(problem.type), "detail": .string(problem.detail),
                ])
            return APIGatewayV2Response(problem: problem, instance: requestID)
        }
    }

    /// The `{id}` of `/events/{id}`: API Gateway's path parameter, decoded. Without one (a local
    /// API that does no routing), the last segment of `/events/{id}`, percent-decoded.
    static func eventID(of request: APIGatewayV2Request) throws(ProblemDetails) -> String {
        var id = request.pathParameters?["id"]
        if id == nil {
            let segments = request.rawPath.split(separator: "/", omittingEmptySubsequences: false)
            if segments.count >= 2, segments[segments.count - 2] == "events" {
                id = PercentEncoding.decode(segments[segments.count - 1])
            }
        }
        guard let id, !id.isEmpty else {
            throw ProblemDetails(
                status: 400, type: "missing-event-id", title: "Bad Request",
                detail: "the path names no event: GET /events/{id}, with the id publish answered")
        }
        guard id.utf8.count <= EventRecordKeys.maximumIDBytes else {
            throw ProblemDetails(
                status: 400, type: "invalid-event-id", title: "Bad Request",
                detail:
                    "the event id is \(id.utf8.count) bytes; no event's id is longer than \(EventRecordKeys.maximumIDBytes)"
            )
        }
        return id
    }

    // MARK: Reading the records

    struct Records: Sendable {
        var processed: DynamoDBItem?
        var stored: DynamoDBItem?
        var conflicts: [DynamoDBItem] = []
        var notified: DynamoDBItem?
        var published: DynamoDBItem?
    }

    /// Every record of the event, read at once; publish's after the others, which name its source.
    func lookUp(_ id: String, deadline: ContinuousClock.Instant, logger: Logger) async throws(ProblemDetails)
        -> Records
    {
        do {
            async let processed = item(configuration.eventsTable, EventRecordKeys.processed(id: id), deadline)
            async let stored = item(configuration.auditTable, EventRecordKeys.stored(id: id), deadline)
            async let conflicts = conflicts(of: id, deadline)
            async let notified = item(configuration.idempotencyTable, EventRecordKeys.notified(id: id), deadline)
            var records = Records(
                processed: try await processed, stored: try await stored, conflicts: try await conflicts,
                notified: try await notified)
            if let source = records.processed?.string("source") ?? records.stored?.string("source") {
                let key = EventRecordKeys.published(source: source, id: id)
                if case .s(let value)? = key["id"], value.utf8.count <= EventRecordKeys.maximumPartitionKeyBytes {
                    records.published = try await item(configuration.idempotencyTable, key, deadline)
                }
            }
            return records
        } catch {
            logger.error("the event's records could not be read", metadata: ["error": "\(error)"])
            throw Self.problem(for: error)
        }
    }

    private func item(_ table: String, _ key: DynamoDBItem, _ deadline: ContinuousClock.Instant) async throws
        -> DynamoDBItem?
    {
        let item = try await client.getItem(DynamoDB.GetItemInput(tableName: table, key: key), deadline: deadline).item
        return item?.isEmpty == false ? item : nil
    }

    private func conflicts(of id: String, _ deadline: ContinuousClock.Instant) async throws -> [DynamoDBItem] {
        let output = try await client.query(
            DynamoDB.QueryInput(
                tableName: configuration.auditTable, limit: Self.maximumConflictsListed,
                projectionExpression: "#sk, #payloadHash, #storedAt, #carrier",
                keyConditionExpression: "#pk = :id AND begins_with(#sk, :conflict)",
                expressionAttributeNames: [
                    "#pk": "pk", "#sk": "sk", "#payloadHash": "payloadHash", "#storedAt": "storedAt",
                    "#carrier": "carrier",
                ],
                expressionAttributeValues: [":id": .s(id), ":conflict": .s(EventRecordKeys.conflictSortKeyPrefix)]),
            deadline: deadline)
        return output.items ?? []
    }

    /// What a failed read is to the caller: 503 when retrying soon may work (throttled, no
    /// answer, the circuit open), 502 when DynamoDB refused (a missing table, no permission).
    /// The detail names the operation and the error code, never a table.
    static func problem(for error: any Error) -> ProblemDetails {
        func unavailable(_ reason: String, retryAfter: Int?) -> ProblemDetails {
            ProblemDetails(
                status: 503, type: "query-unavailable", title: "Service Unavailable",
                detail: "the event's records could not be read now (\(reason)); retry later",
                headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        }
        switch error {
        case let error as AWSError where error.isThrottling || error.isServerError:
            return unavailable("\(error.service) \(error.operation): \(error.code)", retryAfter: 1)
        case let error as AWSError:
            return ProblemDetails(
                status: 502, type: "query-failed", title: "Bad Gateway",
                detail:
                    "the event's records could not be read: \(error.service) \(error.operation) failed with \(error.code)"
            )
        case let error as AWSTransportError:
            switch error {
            case .circuitOpen(let service, _, _):
                return unavailable("\(service) is failing; calls to it are paused", retryAfter: 10)
            case .network(let service, let operation, _, _):
                return unavailable("\(service) \(operation): no response", retryAfter: 1)
            case .deadlineExceeded(let service, let operation, _):
                return unavailable("\(service) \(operation): timed out", retryAfter: 1)
            case .invalidResponse(let service, let operation, _):
                return ProblemDetails(
                    status: 502, type: "query-failed", title: "Bad Gateway",
                    detail: "the event's records could not be read: \(service) \(operation) answered unreadably")
            }
        default:
            return ProblemDetails(
                status: 502, type: "query-failed", title: "Bad Gateway",
                detail: "the event's records could not be read")
        }
    }

    // MARK: The answer

    /// The event's status, or nil when no function has a record of it.
    func status(of id: String, _ records: Records) -> JSONValue? {
        guard records.processed != nil || records.stored != nil || records.notified != nil else { return nil }
        let processed = records.processed
        let stored = records.stored
        // The original as store received it, for what process's record would have said.
        let original =
            processed == nil ? stored?.string("payload").flatMap { try? JSONValue(parsing: Array($0.utf8)) } : nil
        let type = processed?.string("type") ?? stored?.string("type")
        let time = processed?.string("time") ?? original?["time"]?.stringValue

        var object: [String: JSONValue] = [
            "id": .string(id),
            "type": type.map(JSONValue.string) ?? .null,
            "source": (processed?.string("source") ?? stored?.string("source")).map(JSONValue.string) ?? .null,
            "subject": (processed?.string("subject") ?? original?["subject"]?.stringValue).map(JSONValue.string)
                ?? .null,
            "time": time.map(JSONValue.string) ?? .null,
        ]
        // When publish finished with it, if its record is found; else the event's time, which
        // publish sets to when it accepted a short-form event.
        let publishedAt = records.published.flatMap(Self.writtenAt) ?? time
        object["published"] = .object(["at": publishedAt.map(JSONValue.string) ?? .null])

        object["processed"] =
            processed.map { record in
                .object([
                    "at": Self.value(record.string("processedAt")), "minute": Self.value(record.string("minute")),
                    "carrier": Self.value(record.string("carrier")),
                    "payloadHash": Self.value(record.string("payloadHash")),
                ])
            } ?? .null

        object["stored"] =
            stored.map { record in
                .object([
                    "at": Self.value(record.string("storedAt")),
                    "payloadHash": Self.value(record.string("payloadHash")),
                    "carrier": Self.value(record.string("carrier")),
                    "conflicts": .array(
                        records.conflicts.map { conflict in
                            .object([
                                "payloadHash": Self.value(conflict.string("payloadHash")),
                                "at": Self.value(conflict.string("storedAt")),
                                "carrier": Self.value(conflict.string("carrier")),
                            ])
                        }),
                ])
            } ?? .null

        let notifiable = type.map { type in configuration.notifyTypes.contains { $0.matches(type) } }
        if notifiable == true || records.notified != nil {
            // In progress is not notified yet: notify has not sent it, or is sending it now.
            if let record = records.notified, record.string("status") == IdempotencyStatus.completed.rawValue {
                let messageID = record.string("result").flatMap { try? JSON.decode(String.self, from: Array($0.utf8)) }
                object["notified"] = .object([
                    "at": Self.value(Self.writtenAt(record)), "messageId": Self.value(messageID),
                ])
            } else {
                object["notified"] = .null
            }
        }
        return .object(object)
    }

    /// When an idempotency record was last written (completed), to the second.
    static func writtenAt(_ record: DynamoDBItem) -> String? {
        guard let expiresAt = record.integer("expiresAt") else { return nil }
        return UTCTime(secondsSince1970: expiresAt - idempotencyRecordTimeToLive.components.seconds).iso8601()
    }

    private static func value(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
