import AWSCore
import AWSEventBridge
import AWSSNS
import CloudEvents
import Idempotency
import JSONCoding
import LambdaEvents
import LambdaMetrics
import LambdaRuntime
import Logging
import TextEncodings
import UTCTime

/// `publish`'s configuration, from its environment.
public struct PublishConfiguration: Sendable, Equatable {
    /// `TOPIC_ARN`: events go to this SNS topic (FIFO if it ends in `.fifo`).
    public var topicARN: String?
    /// `EVENT_BUS_NAME`: events go on this EventBridge bus.
    public var eventBusName: String?
    /// `IDEMPOTENCY_TABLE`.
    public var idempotencyTable: String
    /// `EVENT_SOURCE`: the `source` of events whose publisher omits it.
    public var eventSource: String

    public static let defaultEventSource = "urn:swift-lambda-kit:publish"

    public init(
        topicARN: String?, eventBusName: String?, idempotencyTable: String,
        eventSource: String = Self.defaultEventSource
    ) {
        self.topicARN = topicARN
        self.eventBusName = eventBusName
        self.idempotencyTable = idempotencyTable
        self.eventSource = eventSource
    }

    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        let topic = try reader.topicARN("TOPIC_ARN", "the SNS topic events are published to", required: false)
        let bus = reader.optional("EVENT_BUS_NAME")
        guard topic != nil || bus != nil else {
            throw ConfigurationError(
                variable: "TOPIC_ARN",
                problem: "and EVENT_BUS_NAME are both unset: set at least one, so published events go somewhere")
        }
        self.init(
            topicARN: topic, eventBusName: bus,
            idempotencyTable: try reader.tableName("IDEMPOTENCY_TABLE", "the DynamoDB table of idempotency records"),
            eventSource: reader.optional("EVENT_SOURCE") ?? Self.defaultEventSource)
    }
}

/// Where the events go: an SNS topic, an EventBridge bus, or both.
public struct PublishTargets: Sendable {
    public var sns: (client: any SNSClientProtocol, topicARN: String)?
    public var eventBridge: (client: any EventBridgeClientProtocol, eventBusName: String)?

    public init(
        sns: (client: any SNSClientProtocol, topicARN: String)? = nil,
        eventBridge: (client: any EventBridgeClientProtocol, eventBusName: String)? = nil
    ) {
        self.sns = sns
        self.eventBridge = eventBridge
    }
}

/// EventBridge accepted the call but refused the entry.
public struct EventBridgeEntryRejected: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { "EventBridge refused the event: \(code): \(message)" }
}

/// `publish`: `POST /events` from API Gateway (REST or HTTP API). Validates the body as a
/// CloudEvent, or completes the short form `{type, source?, subject?, data}`; records the
/// caller in the `authcontext` extension; publishes it; answers `202 {"id": ...}`.
///
/// An `Idempotency-Key` header (or, for a complete CloudEvent, its `source` and `id`) makes a
/// retried request answer the first one's id and publish nothing.
public struct PublishHandler: LambdaHandler {
    /// SNS and EventBridge both take 256 KiB per event.
    public static let maximumEventBytes = 256 * 1024

    public let store: any IdempotencyStore
    public let targets: PublishTargets
    public let defaultSource: String
    private let makeID: @Sendable () -> String
    private let now: @Sendable () -> UTCTime

    public init(
        store: any IdempotencyStore, targets: PublishTargets,
        defaultSource: String = PublishConfiguration.defaultEventSource,
        makeID: @escaping @Sendable () -> String = randomUUIDString, now: @escaping @Sendable () -> UTCTime = { .now() }
    ) {
        self.store = store
        self.targets = targets
        self.defaultSource = defaultSource
        self.makeID = makeID
        self.now = now
    }

    public func handle(_ request: APIGatewayRequest, context: LambdaContext) async throws -> APIGatewayResponse {
        let view = request.view
        var logger = context.logger
        logger[metadataKey: "apiRequestId"] = .string(view.requestID)
        do {
            return request.response(try await accept(view, context: context, logger: &logger))
        } catch {
            let problem = error
            // Refused: the client's request was wrong (4xx); Failed: the kit could not publish it.
            Metrics.add(problem.status >= 500 ? "Failed" : "Refused")
            logger.warning(
                "refused",
                metadata: [
                    "status": "\(problem.status)", "problem": .string(problem.type), "detail": .string(problem.detail),
                ])
            return request.response(problem.response(instance: view.requestID))
        }
    }

    private func accept(_ request: HTTPRequestView, context: LambdaContext, logger: inout Logger) async throws(Problem)
        -> HTTPResponseParts
    {
        guard request.method.uppercased() == "POST" else {
            throw Problem(
                status: 405, type: "method-not-allowed", title: "Method Not Allowed",
                detail: "events are published with POST, not \(request.method)",
                headers: ["Allow": "POST"])
        }
        let contentType = request.headers["content-type"].map { mediaType($0) }
        guard let contentType, contentType == "application/json" || contentType.hasSuffix("+json") else {
            throw Problem(
                status: 415, type: "unsupported-media-type", title: "Unsupported Media Type",
                detail:
                    "the body must be JSON (Content-Type: application/json or application/cloudevents+json), got \(contentType ?? "no Content-Type")",
                headers: ["Accept-Post": "application/json, application/cloudevents+json"])
        }
        let body: [UInt8]
        if request.isBase64Encoded {
            guard let decoded = Base64.decode(request.body ?? "") else {
                throw Problem(
                    status: 400, type: "malformed-body", title: "Bad Request",
                    detail: "isBase64Encoded is true but the body is not base64")
            }
            body = decoded
        } else {
            body = Array((request.body ?? "").utf8)
        }
        guard body.count <= Self.maximumEventBytes else {
            throw tooLarge("the body is \(body.count) bytes")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            throw Problem(
                status: 400, type: "malformed-json", title: "Bad Request",
                detail: "the body is not valid JSON: \(error)")
        }

        var event: CloudEvent
        let isComplete = json["specversion"] != nil
        do {
            event =
                isComplete
                ? try CloudEvent(validating: json)
                : try CloudEvent.completing(json, id: makeID(), defaultSource: defaultSource, time: now())
        } catch {
            throw Problem(
                status: 422, type: "invalid-cloudevent", title: "Unprocessable Content",
                detail: isComplete
                    ? "the body is not a valid CloudEvent 1.0"
                    : "the body is neither a valid CloudEvent 1.0 nor the short form {type, source?, subject?, data}",
                errors: error.violations)
        }
        // The authorizer's word, never the body's: a publisher cannot claim to be someone else.
        event.authContext = request.caller
        guard event.canonicalJSON.utf8.count <= Self.maximumEventBytes else {
            throw tooLarge("the completed event is \(event.canonicalJSON.utf8.count) bytes")
        }

        let idempotencyKey: String?
        if let header = request.headers["idempotency-key"], !header.isEmpty {
            guard header.utf8.count <= 255 else {
                throw Problem(
                    status: 400, type: "invalid-idempotency-key", title: "Bad Request",
                    detail: "Idempotency-Key is longer than 255 bytes")
            }
            // Scoped by caller: two callers' keys never collide.
            idempotencyKey = "publish#key#\(request.caller.type):\(request.caller.id ?? "-")#\(header)"
        } else if isComplete {
            // CloudEvents: source + id identify an event.
            idempotencyKey = "publish#event#\(event.source)#\(event.id)"
        } else {
            idempotencyKey = nil
        }
        logger[metadataKey: "correlationId"] = .string(event.id)
        logger[metadataKey: "eventType"] = .string(event.type)

        let deadline = InvocationDeadline(epochMilliseconds: context.deadlineMilliseconds, instant: context.deadline)
        let id: String
        do {
            if let idempotencyKey {
                // The request as sent, not the completed event: that has a fresh id and time each time.
                let outcome = try await store.idempotent(
                    key: idempotencyKey, payloadHash: CanonicalJSON.sha256(json), deadline: deadline
                ) { [event, logger] in
                    try await publish(event, deadline: context.deadline, logger: logger)
                    return event.id
                }
                id = outcome.value
                if outcome.isReplay {
                    Metrics.add("Duplicates")
                    logger[metadataKey: "correlationId"] = .string(id)
                    logger.info("duplicate request: answered with the first request's event id, nothing published")
                }
            } else {
                try await publish(event, deadline: context.deadline, logger: logger)
                id = event.id
            }
        } catch let error as IdempotencyError {
            switch error {
            case .inProgress(_, let until):
                let seconds = max(1, (until - now().millisecondsSince1970 + 999) / 1000)
                throw Problem(
                    status: 409, type: "request-in-progress", title: "Conflict",
                    detail: "a request with this idempotency key is being processed; retry after it completes",
                    headers: ["Retry-After": String(seconds)])
            case .payloadMismatch:
                throw Problem(
                    status: 422, type: "idempotency-key-reused", title: "Unprocessable Content",
                    detail: "this idempotency key was used with a different request body")
            case .resultNotSaved(_, let result, _):
                // Published: answer success, but a retry of this request could publish again.
                logger.error("published, but the idempotency record was not completed", metadata: ["error": "\(error)"])
                id = (try? JSON.decode(String.self, from: Array(result.utf8))) ?? event.id
            case .abandonFailed, .invalidRecord:
                logger.error("not published", metadata: ["error": "\(error)"])
                throw unavailable(retryAfter: nil)
            }
        } catch let error as AWSTransportError {
            logger.error("not published", metadata: ["error": "\(error)"])
            if case .circuitOpen = error { throw unavailable(retryAfter: 10) }
            throw unavailable(retryAfter: nil)
        } catch {
            logger.error("not published", metadata: ["error": "\(error)"])
            throw unavailable(retryAfter: nil)
        }
        return HTTPResponseParts(
            status: 202, headers: ["Content-Type": "application/json"],
            body: CanonicalJSON.string(.object(["id": .string(id)])))
    }

    /// To SNS with `type` and `source` attributes (FIFO: grouped by subject, deduplicated by
    /// id), then to EventBridge. If EventBridge fails after SNS took the event, the request
    /// fails and a retry publishes to SNS again: consumers deduplicate by event id.
    func publish(_ event: CloudEvent, deadline: ContinuousClock.Instant, logger: Logger) async throws {
        let message = event.canonicalJSON
        if let (client, topicARN) = targets.sns {
            let fifo = topicARN.hasSuffix(".fifo")
            let output = try await client.publish(
                SNS.PublishInput(
                    topicARN: topicARN, message: message,
                    messageAttributes: ["type": .string(event.type), "source": .string(event.source)],
                    messageDeduplicationID: fifo ? event.id : nil,
                    messageGroupID: fifo ? event.subject ?? event.source : nil), deadline: deadline)
            logger.info("published to SNS", metadata: ["snsMessageId": .string(output.messageID ?? "")])
        }
        if let (client, busName) = targets.eventBridge {
            let output = try await client.putEvents(
                EventBridge.PutEventsRequest(entries: [
                    EventBridge.PutEventsRequestEntry(
                        time: event.occurredAt,
                        source: event.source, detailType: event.type, detail: message, eventBusName: busName)
                ]), deadline: deadline)
            if let failure = output.failures.first {
                throw EventBridgeEntryRejected(
                    code: failure.entry.errorCode ?? "unknown", message: failure.entry.errorMessage ?? "")
            }
            logger.info(
                "put on EventBridge", metadata: ["eventBridgeId": .string(output.entries?.first?.eventID ?? "")])
        }
        Metrics.add("Published")
    }

    private func tooLarge(_ what: String) -> Problem {
        Problem(
            status: 413, type: "content-too-large", title: "Content Too Large",
            detail:
                "\(what); an event may be at most \(Self.maximumEventBytes) bytes (256 KiB, the SNS and EventBridge limit)"
        )
    }

    private func unavailable(retryAfter: Int?) -> Problem {
        Problem(
            status: 503, type: "publish-unavailable", title: "Service Unavailable",
            detail: "the event could not be published now; nothing was published under this request, retry it",
            headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
    }

    /// `application/json; charset=utf-8` → `application/json`.
    private func mediaType(_ header: String) -> String {
        String(header.split(separator: ";", maxSplits: 1).first ?? "").filter { $0 != " " && $0 != "\t" }.lowercased()
    }
}
