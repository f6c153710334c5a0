import AWSCore
import AWSSQS
import Foundation
import LambdaEmulator
import LambdaEvents
import Synchronization
import TextEncodings

/// An SQS event source mapping as the template declares it.
public struct EventSourceMappingConfiguration: Sendable, Equatable {
    public var functionName: String
    public var queueURL: String
    public var queueARN: String
    /// Messages per invocation, at most (Lambda allows 1…10 000; 10 for FIFO).
    public var batchSize: Int
    /// How long to gather messages before invoking with a batch smaller than `batchSize`.
    /// Zero invokes with whatever one receive returned.
    public var maximumBatchingWindow: Duration
    /// `FunctionResponseTypes: [ReportBatchItemFailures]`: the function's `batchItemFailures`
    /// name the messages to keep; without it a successful invocation deletes the whole batch.
    public var reportBatchItemFailures: Bool
    /// The long poll of each ReceiveMessage; Lambda uses 20 s.
    public var waitTimeSeconds: Int
    public var region: String

    public init(
        functionName: String, queueURL: String, queueARN: String, batchSize: Int = 10,
        maximumBatchingWindow: Duration = .zero,
        reportBatchItemFailures: Bool = true, waitTimeSeconds: Int = 20, region: String = "us-east-1"
    ) {
        self.functionName = functionName
        self.queueURL = queueURL
        self.queueARN = queueARN
        self.batchSize = batchSize
        self.maximumBatchingWindow = maximumBatchingWindow
        self.reportBatchItemFailures = reportBatchItemFailures
        self.waitTimeSeconds = waitTimeSeconds
        self.region = region
    }

    public var queueName: String { queueARN.split(separator: ":").last.map(String.init) ?? queueARN }
}

/// What one invocation of a mapping came to: the line `pipeline up` prints.
public struct BatchRecord: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The function answered; `failed` messages stay on the queue.
        case succeeded(failed: Int)
        /// The function's answer failed the whole batch (an error, a timeout, or a
        /// `batchItemFailures` Lambda refuses); nothing was deleted.
        case failed(reason: String)
    }

    public var functionName: String
    public var queueName: String
    public var messages: Int
    public var outcome: Outcome
    public var deleted: Int
    /// Deletes SQS refused (an expired receipt handle): those messages come back.
    public var deleteFailures: [String]
    public var report: InvocationReport

    public var line: String {
        let result: String =
            switch outcome {
            case .succeeded(let failed) where failed == 0: "ok"
            case .succeeded(let failed): "partial: \(failed) failed"
            case .failed(let reason): "failed: \(reason)"
            }
        var line =
            "\(functionName) <- \(queueName): \(messages) message\(messages == 1 ? "" : "s"), \(result), deleted \(deleted)"
        if !deleteFailures.isEmpty {
            line += ", delete refused for \(deleteFailures.count): \(deleteFailures.joined(separator: "; "))"
        }
        return line + ", \(InvocationReport.milliseconds(report.duration)) ms"
    }
}

/// Totals since the mapping started.
public struct MappingCounts: Sendable, Equatable {
    public var invocations = 0
    public var messagesDelivered = 0
    public var messagesDeleted = 0
    public var messagesFailed = 0
    public var failedInvocations = 0
    public var pollErrors = 0
    public init() {}
}

/// Plays Lambda's SQS event source mapping on this machine: long-polls the queue, gathers a
/// batch up to the batch size or the batching window, invokes the function with the event
/// Lambda builds, and deletes what succeeded. What is not deleted becomes visible again after
/// the queue's visibility timeout and, after the redrive policy's `maxReceiveCount`, goes to
/// the dead-letter queue: SQS does that part, exactly as in AWS.
///
/// Each poller owns one function process (one execution environment); several pollers run
/// batches concurrently, as Lambda scales a mapping out.
public final class EventSourceMapping: Sendable {
    public let configuration: EventSourceMappingConfiguration
    private let sqs: any SQSClientProtocol
    private let lambdas: [LocalLambda]
    private let onBatch: @Sendable (BatchRecord) -> Void
    private let onError: @Sendable (String) -> Void
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var tasks: [Task<Void, Never>] = []
        var counts = MappingCounts()
        var busy = 0
    }

    /// - Parameters:
    ///   - lambdas: one per concurrent batch; each keeps its own warm process.
    ///   - sqs: should talk to SQS directly: the mapping is Lambda's, not the function's, so
    ///     a fault proxy meant for the functions does not belong in front of it.
    public init(
        configuration: EventSourceMappingConfiguration, lambdas: [LocalLambda], sqs: any SQSClientProtocol,
        onBatch: @escaping @Sendable (BatchRecord) -> Void = { _ in },
        onError: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        precondition(!lambdas.isEmpty, "an event source mapping needs at least one function process")
        precondition(configuration.batchSize >= 1, "the batch size is at least 1")
        self.configuration = configuration
        self.lambdas = lambdas
        self.sqs = sqs
        self.onBatch = onBatch
        self.onError = onError
    }

    public var counts: MappingCounts { state.withLock { $0.counts } }

    /// Whether a batch is being invoked or deleted right now.
    public var isBusy: Bool { state.withLock { $0.busy > 0 } }

    public func start() {
        let tasks = lambdas.map { lambda in Task { await self.poll(with: lambda) } }
        state.withLock { $0.tasks += tasks }
    }

    /// Stops polling and waits for batches in flight to be invoked and deleted, and for a long
    /// poll in flight to end (at most `waitTimeSeconds`): whatever it still receives is not
    /// invoked and becomes visible again after the visibility timeout, as when Lambda disables
    /// a mapping.
    public func stop() async {
        let tasks = state.withLock { state in
            state.stopping = true
            return state.tasks
        }
        while state.withLock({ $0.busy > 0 }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        // A long poll in flight ends within waitTimeSeconds; after that, nothing of this mapping
        // runs or reports (a caller may close what onError writes to).
        for task in tasks { await task.value }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func poll(with lambda: LocalLambda) async {
        let configuration = self.configuration
        var consecutiveErrors = 0
        while !stopping {
            var batch: [SQS.Message] = []
            var windowEnd: ContinuousClock.Instant?
            var bytes = 0
            gathering: while !stopping {
                let wait: Int
                if let windowEnd {
                    let remaining = windowEnd - .now
                    if remaining <= .zero { break gathering }
                    wait = max(1, min(configuration.waitTimeSeconds, Int((remaining / .seconds(1)).rounded(.up))))
                } else {
                    wait = configuration.waitTimeSeconds
                }
                let received: [SQS.Message]
                do {
                    received =
                        try await sqs.receiveMessage(
                            SQS.ReceiveMessageRequest(
                                queueURL: configuration.queueURL, messageSystemAttributeNames: ["All"],
                                messageAttributeNames: ["All"],
                                maxNumberOfMessages: min(10, configuration.batchSize - batch.count),
                                waitTimeSeconds: wait),
                            deadline: nil
                        ).messages ?? []
                    consecutiveErrors = 0
                } catch {
                    if stopping { return }
                    state.withLock { $0.counts.pollErrors += 1 }
                    onError(
                        "\(configuration.functionName) <- \(configuration.queueName): ReceiveMessage failed: \(error)")
                    consecutiveErrors += 1
                    // Back off as Lambda does when its poller meets errors, up to a few seconds.
                    try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(consecutiveErrors, 6))))
                    if batch.isEmpty { continue gathering } else { break gathering }
                }
                // Received after stop: left on the queue to reappear, never silently consumed.
                if stopping { return }
                batch += received
                bytes += received.reduce(0) { $0 + ($1.body?.utf8.count ?? 0) }
                if batch.isEmpty { continue }
                if batch.count >= configuration.batchSize || configuration.maximumBatchingWindow == .zero { break }
                // Lambda's invocation payload is at most 6 MB: a full SQS message more would not fit.
                if bytes + 256 * 1024 > 6 * 1024 * 1024 { break }
                if windowEnd == nil { windowEnd = .now + configuration.maximumBatchingWindow }
            }
            guard !batch.isEmpty else { continue }
            state.withLock { $0.busy += 1 }
            await invoke(batch, on: lambda)
            state.withLock { $0.busy -= 1 }
        }
    }

    private func invoke(_ batch: [SQS.Message], on lambda: LocalLambda) async {
        let configuration = self.configuration
        let event: [UInt8]
        do {
            event = try Self.event(for: batch, configuration: configuration)
        } catch {
            // Not expected from SQS's own answers; reported, and the messages reappear.
            onError("\(configuration.functionName) <- \(configuration.queueName): cannot build the SQS event: \(error)")
            return
        }
        // As Lambda does: a message sent under a trace (its AWSTraceHeader system attribute)
        // carries that trace into the invocation that receives it; the batch's first such one.
        let traceID = batch.lazy.compactMap { $0.attributes?["AWSTraceHeader"] }.first
        let report = await blocking { lambda.invoke(event, traceID: traceID) }
        let ids = batch.compactMap(\.messageID)
        let outcome: BatchRecord.Outcome
        var keep: Set<String> = []
        switch report.result {
        case .response(let payload):
            switch Self.failedItems(
                payload, batchIDs: Set(ids), reportBatchItemFailures: configuration.reportBatchItemFailures)
            {
            case .success(let failed):
                keep = failed
                outcome = .succeeded(failed: failed.count)
            case .failure(let reason):
                keep = Set(ids)
                outcome = .failed(reason: reason.description)
            }
        default:
            keep = Set(ids)
            outcome = .failed(reason: report.errorType ?? "error")
        }

        let toDelete = batch.filter { message in message.messageID.map { !keep.contains($0) } ?? false }
        var deleted = 0
        var deleteFailures: [String] = []
        for chunk in stride(from: 0, to: toDelete.count, by: 10).map({
            Array(toDelete[$0..<min($0 + 10, toDelete.count)])
        }) {
            let entries = chunk.enumerated().compactMap { index, message in
                message.receiptHandle.map { SQS.DeleteMessageBatchRequestEntry(id: "m\(index)", receiptHandle: $0) }
            }
            do {
                let output = try await sqs.deleteMessageBatch(
                    SQS.DeleteMessageBatchRequest(queueURL: configuration.queueURL, entries: entries), deadline: nil)
                deleted += output.successful.count
                deleteFailures += output.failed.map { failure in
                    let index = Int(failure.id.dropFirst()) ?? 0
                    return "\(chunk[index].messageID ?? "?"): \(failure.code)\(failure.message.map { " \($0)" } ?? "")"
                }
            } catch {
                deleteFailures += chunk.map { "\($0.messageID ?? "?"): \(error)" }
            }
        }

        state.withLock {
            $0.counts.invocations += 1
            $0.counts.messagesDelivered += batch.count
            $0.counts.messagesDeleted += deleted
            $0.counts.messagesFailed += keep.count
            if case .failed = outcome { $0.counts.failedInvocations += 1 }
        }
        onBatch(
            BatchRecord(
                functionName: configuration.functionName, queueName: configuration.queueName, messages: batch.count,
                outcome: outcome,
                deleted: deleted, deleteFailures: deleteFailures, report: report))
    }

    // MARK: Lambda's rules

    /// The event Lambda delivers: ReceiveMessage's messages in the camel-cased shape of an
    /// SQS event record.
    public static func event(for messages: [SQS.Message], configuration: EventSourceMappingConfiguration) throws
        -> [UInt8]
    {
        let records = try messages.map { message -> LambdaEvents.SQSMessage in
            let messageAttributes = (message.messageAttributes ?? [:]).mapValues { value in
                SQSMessageAttribute(
                    dataType: value.dataType, stringValue: value.stringValue,
                    binaryValue: value.binaryValue.map { Base64.encode($0) },
                    stringListValues: value.stringListValues ?? [],
                    binaryListValues: value.binaryListValues?.map { Base64.encode($0) } ?? [])
            }
            return try LambdaEvents.SQSMessage(
                receivedMessageID: message.messageID ?? "", receiptHandle: message.receiptHandle ?? "",
                body: message.body ?? "",
                systemAttributes: Dictionary(
                    uniqueKeysWithValues: (message.attributes ?? [:]).map { ($0.key.rawValue, $0.value) }),
                messageAttributes: messageAttributes,
                md5OfBody: message.md5OfBody ?? "",
                md5OfMessageAttributes: message.md5OfMessageAttributes, queueARN: configuration.queueARN)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(SQSEvent(records: records)))
    }

    public struct RefusedResponse: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The messages a successful invocation keeps on the queue, by Lambda's documented rules:
    /// null, `{}`, or an empty/null `batchItemFailures` is complete success; invalid JSON, an
    /// empty or null `itemIdentifier`, or one naming no message of the batch fails the whole
    /// batch.
    public static func failedItems(_ payload: [UInt8], batchIDs: Set<String>, reportBatchItemFailures: Bool) -> Result<
        Set<String>, RefusedResponse
    > {
        guard reportBatchItemFailures else { return .success([]) }
        let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text == "null" { return .success([]) }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else {
            return .failure(RefusedResponse(description: "the response is not valid JSON"))
        }
        guard case .object(let object) = value else {
            // A string or number answer carries no failures: the batch succeeded.
            return .success([])
        }
        guard let failures = object["batchItemFailures"], failures != .null else { return .success([]) }
        guard case .array(let items) = failures else {
            return .failure(RefusedResponse(description: "batchItemFailures is not a list"))
        }
        var failed: Set<String> = []
        for item in items {
            guard case .string(let id)? = item["itemIdentifier"], !id.isEmpty else {
                return .failure(RefusedResponse(description: "a batchItemFailures entry has no itemIdentifier"))
            }
            guard batchIDs.contains(id) else {
                return .failure(
                    RefusedResponse(description: "batchItemFailures names \(id), which is not in the batch"))
            }
            failed.insert(id)
        }
        return .success(failed)
    }
}

/// Runs a blocking call (an invocation waits on its process) on a Dispatch worker, off the
/// cooperative pool, whose few threads must stay free for the pollers.
func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
