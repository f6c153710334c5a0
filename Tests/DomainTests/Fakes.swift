import AWSCore
import AWSEventBridge
import AWSSNS
import Foundation
import StoreFunction
import Synchronization

struct SNSUnavailable: Error, CustomStringConvertible { var description: String { "SNS is down" } }

/// Records publishes. When `failing`, each call fails; with a breaker, calls go through it
/// as the real transport's do (an open circuit refuses them untried).
final class RecordingSNS: SNSClientProtocol {
    private let state = Mutex<(published: [SNS.PublishInput], failing: Bool)>(([], false))
    let breaker: CircuitBreaker?

    init(breaker: CircuitBreaker? = nil) { self.breaker = breaker }

    var published: [SNS.PublishInput] { state.withLock { $0.published } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func publish(_ input: SNS.PublishInput, deadline: ContinuousClock.Instant?) async throws -> SNS.PublishResponse {
        if let breaker, !breaker.allowRequest() {
            throw AWSTransportError.circuitOpen(service: "SNS", operation: "Publish", endpoint: breaker.endpoint)
        }
        return try state.withLock { state in
            if state.failing {
                breaker?.recordFailure()
                throw SNSUnavailable()
            }
            breaker?.recordSuccess()
            state.published.append(input)
            return SNS.PublishResponse(messageID: "sns-\(state.published.count)")
        }
    }

    func publishBatch(_ input: SNS.PublishBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SNS.PublishBatchResponse
    {
        SNS.PublishBatchResponse(successful: [], failed: [])
    }
}

final class RecordingEventBridge: EventBridgeClientProtocol {
    private let state = Mutex<[EventBridge.PutEventsRequestEntry]>([])
    let rejecting: Bool
    init(rejecting: Bool = false) { self.rejecting = rejecting }
    var entries: [EventBridge.PutEventsRequestEntry] { state.withLock { $0 } }

    func putEvents(_ input: EventBridge.PutEventsRequest, deadline: ContinuousClock.Instant?) async throws
        -> EventBridge.PutEventsResponse
    {
        if rejecting {
            return EventBridge.PutEventsResponse(
                failedEntryCount: 1, entries: [.init(errorCode: "InvalidArgument", errorMessage: "bad source")])
        }
        state.withLock { $0 += input.entries }
        return EventBridge.PutEventsResponse(
            failedEntryCount: 0, entries: input.entries.map { _ in .init(eventID: UUID().uuidString) })
    }
}

final class InMemoryAuditStore: AuditStore {
    private let state = Mutex<[String: [String: AuditRecord]]>([:])

    /// Records by event id, then by sort key (`ORIGINAL`, `CONFLICT#<hash>`).
    var items: [String: [String: AuditRecord]] { state.withLock { $0 } }

    func keepOriginal(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws -> KeepOriginalOutcome {
        state.withLock { items in
            if let existing = items[record.eventID]?["ORIGINAL"] { return .exists(payloadHash: existing.payloadHash) }
            items[record.eventID, default: [:]]["ORIGINAL"] = record
            return .stored
        }
    }

    func keepConflict(_ record: AuditRecord, deadline: ContinuousClock.Instant?) async throws -> Bool {
        state.withLock { items in
            let key = "CONFLICT#\(record.payloadHash)"
            if items[record.eventID]?[key] != nil { return false }
            items[record.eventID, default: [:]][key] = record
            return true
        }
    }
}
