import AWSCore
import LambdaHTTP
import Logging

extension AWSService {
    public static let eventBridge = AWSService(
        name: "EventBridge", signingName: "events", endpointPrefix: "events", environmentSuffix: "EVENTBRIDGE",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSEvents"))
}

extension EventBridge.PutEventsResultEntry {
    public var isFailure: Bool { errorCode != nil }
}

extension EventBridge.PutEventsResponse {
    /// PutEvents succeeds as a call even when entries fail: the failed ones, with their index in
    /// the request, for a caller to retry or report.
    public var failures: [(index: Int, entry: EventBridge.PutEventsResultEntry)] {
        (entries ?? []).enumerated().filter { $0.element.isFailure }.map { (index: $0.offset, entry: $0.element) }
    }
}

public protocol EventBridgeClientProtocol: Sendable {
    func putEvents(_ input: EventBridge.PutEventsRequest, deadline: ContinuousClock.Instant?) async throws
        -> EventBridge.PutEventsResponse
}

extension EventBridgeClientProtocol {
    public func putEvents(_ input: EventBridge.PutEventsRequest) async throws -> EventBridge.PutEventsResponse {
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

    public func putEvents(_ input: EventBridge.PutEventsRequest, deadline: ContinuousClock.Instant?) async throws
        -> EventBridge.PutEventsResponse
    {
        try await transport.sendJSON(operation: "PutEvents", input: input, deadline: deadline)
    }
}
