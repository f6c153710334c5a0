import AWSCore
import LambdaHTTP
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AWSService {
    public static let eventBridge = AWSService(
        name: "EventBridge", signingName: "events", endpointPrefix: "events", environmentSuffix: "EVENTBRIDGE",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSEvents"))
}

/// One event to put (the model's `PutEventsRequestEntry`, botocore `events/2015-10-07`).
public struct PutEventsRequestEntry: Sendable, Encodable, Equatable {
    /// When the event happened; EventBridge uses the time of the call when absent.
    public var time: Date?
    public var source: String?
    public var resources: [String]?
    public var detailType: String?
    /// A JSON object, as a string.
    public var detail: String?
    /// Name or ARN; the default bus when absent.
    public var eventBusName: String?
    public var traceHeader: String?

    public init(
        time: Date? = nil, source: String? = nil, resources: [String]? = nil, detailType: String? = nil,
        detail: String? = nil,
        eventBusName: String? = nil, traceHeader: String? = nil
    ) {
        self.time = time
        self.source = source
        self.resources = resources
        self.detailType = detailType
        self.detail = detail
        self.eventBusName = eventBusName
        self.traceHeader = traceHeader
    }

    enum CodingKeys: String, CodingKey {
        case time = "Time", source = "Source", resources = "Resources", detailType = "DetailType", detail = "Detail"
        case eventBusName = "EventBusName", traceHeader = "TraceHeader"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // The JSON protocols send timestamps as seconds since 1970.
        try container.encodeIfPresent(time?.timeIntervalSince1970, forKey: .time)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encodeIfPresent(resources, forKey: .resources)
        try container.encodeIfPresent(detailType, forKey: .detailType)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(eventBusName, forKey: .eventBusName)
        try container.encodeIfPresent(traceHeader, forKey: .traceHeader)
    }
}

public struct PutEventsInput: Sendable, Encodable, Equatable {
    public var entries: [PutEventsRequestEntry]
    /// A global endpoint's id, for multi-region event buses.
    public var endpointId: String?
    public init(entries: [PutEventsRequestEntry], endpointId: String? = nil) {
        self.entries = entries
        self.endpointId = endpointId
    }
    enum CodingKeys: String, CodingKey { case entries = "Entries", endpointId = "EndpointId" }
}

/// The result of one entry, at the entry's index: an event id, or an error code and message.
public struct PutEventsResultEntry: Sendable, Decodable, Equatable {
    public var eventID: String?
    public var errorCode: String?
    public var errorMessage: String?
    public init(eventID: String? = nil, errorCode: String? = nil, errorMessage: String? = nil) {
        self.eventID = eventID
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
    public var isFailure: Bool { errorCode != nil }
    enum CodingKeys: String, CodingKey {
        case eventID = "EventId", errorCode = "ErrorCode", errorMessage = "ErrorMessage"
    }
}

/// PutEvents succeeds as a call even when entries fail: check `failedEntryCount`.
public struct PutEventsOutput: Sendable, Decodable, Equatable {
    public var failedEntryCount: Int
    public var entries: [PutEventsResultEntry]
    public init(failedEntryCount: Int, entries: [PutEventsResultEntry]) {
        self.failedEntryCount = failedEntryCount
        self.entries = entries
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decodeIfPresent([PutEventsResultEntry].self, forKey: .entries) ?? []
        failedEntryCount =
            try container.decodeIfPresent(Int.self, forKey: .failedEntryCount) ?? entries.filter(\.isFailure).count
    }
    /// The failed entries with their index in the request, for a caller to retry or report.
    public var failures: [(index: Int, entry: PutEventsResultEntry)] {
        entries.enumerated().filter { $0.element.isFailure }.map { (index: $0.offset, entry: $0.element) }
    }
    enum CodingKeys: String, CodingKey { case failedEntryCount = "FailedEntryCount", entries = "Entries" }
}

public protocol EventBridgeClientProtocol: Sendable {
    func putEvents(_ input: PutEventsInput, deadline: ContinuousClock.Instant?) async throws -> PutEventsOutput
}

extension EventBridgeClientProtocol {
    public func putEvents(_ input: PutEventsInput) async throws -> PutEventsOutput {
        try await putEvents(input, deadline: nil)
    }
}

/// EventBridge over the JSON 1.1 protocol.
public struct EventBridgeClient: EventBridgeClientProtocol, AWSServiceClient {
    public static let service = AWSService.eventBridge
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func putEvents(_ input: PutEventsInput, deadline: ContinuousClock.Instant?) async throws -> PutEventsOutput {
        try await transport.sendJSON(operation: "PutEvents", input: input, deadline: deadline)
    }
}
