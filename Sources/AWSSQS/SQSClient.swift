import AWSCore
import LambdaHTTP
import Logging

extension AWSService {
    public static let sqs = AWSService(
        name: "SQS", signingName: "sqs", endpointPrefix: "sqs", environmentSuffix: "SQS",
        wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS"))
}

extension AWSErrorCode {
    public static let queueDoesNotExist: AWSErrorCode = "QueueDoesNotExist"
    public static let receiptHandleIsInvalid: AWSErrorCode = "ReceiptHandleIsInvalid"
}

public protocol SQSClientProtocol: Sendable {
    func sendMessage(_ input: SQS.SendMessageRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.SendMessageResult
    func sendMessageBatch(_ input: SQS.SendMessageBatchRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.SendMessageBatchResult
    func receiveMessage(_ input: SQS.ReceiveMessageRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.ReceiveMessageResult
    func deleteMessage(_ input: SQS.DeleteMessageRequest, deadline: ContinuousClock.Instant?) async throws
    func deleteMessageBatch(_ input: SQS.DeleteMessageBatchRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.DeleteMessageBatchResult
    func changeMessageVisibility(_ input: SQS.ChangeMessageVisibilityRequest, deadline: ContinuousClock.Instant?)
        async throws
    func getQueueAttributes(_ input: SQS.GetQueueAttributesRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.GetQueueAttributesResult
    func getQueueUrl(_ input: SQS.GetQueueUrlRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.GetQueueUrlResult
}

extension SQSClientProtocol {
    public func sendMessage(_ input: SQS.SendMessageRequest) async throws -> SQS.SendMessageResult {
        try await sendMessage(input, deadline: nil)
    }
    public func sendMessageBatch(_ input: SQS.SendMessageBatchRequest) async throws -> SQS.SendMessageBatchResult {
        try await sendMessageBatch(input, deadline: nil)
    }
    public func receiveMessage(_ input: SQS.ReceiveMessageRequest) async throws -> SQS.ReceiveMessageResult {
        try await receiveMessage(input, deadline: nil)
    }
    public func deleteMessage(_ input: SQS.DeleteMessageRequest) async throws {
        try await deleteMessage(input, deadline: nil)
    }
    public func deleteMessageBatch(_ input: SQS.DeleteMessageBatchRequest) async throws -> SQS.DeleteMessageBatchResult
    {
        try await deleteMessageBatch(input, deadline: nil)
    }
    public func changeMessageVisibility(_ input: SQS.ChangeMessageVisibilityRequest) async throws {
        try await changeMessageVisibility(input, deadline: nil)
    }
    public func getQueueAttributes(_ input: SQS.GetQueueAttributesRequest) async throws -> SQS.GetQueueAttributesResult
    {
        try await getQueueAttributes(input, deadline: nil)
    }
    public func getQueueUrl(_ input: SQS.GetQueueUrlRequest) async throws -> SQS.GetQueueUrlResult {
        try await getQueueUrl(input, deadline: nil)
    }
}

/// DeleteMessage and ChangeMessageVisibility answer nothing.
private struct EmptyOutput: Decodable {}

extension SQS.MessageAttributeValue {
    public static func string(_ value: String) -> Self { Self(stringValue: value, dataType: "String") }
    public static func number(_ value: some Numeric & CustomStringConvertible) -> Self {
        Self(stringValue: value.description, dataType: "Number")
    }
    public static func binary(_ value: [UInt8]) -> Self { Self(binaryValue: value, dataType: "Binary") }
}

/// SQS over the JSON 1.0 protocol (requests go to the service endpoint; the queue is named
/// by `QueueUrl` in the body).
public struct SQSClient: SQSClientProtocol, AWSServiceClient {
    public static let service = AWSService.sqs
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    /// The message carries the invocation's trace as its `AWSTraceHeader`, unless it has one:
    /// Lambda then links the consumer's trace to this one.
    public func sendMessage(_ input: SQS.SendMessageRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.SendMessageResult
    {
        var input = input
        input.messageSystemAttributes = Self.tracing(input.messageSystemAttributes)
        return try await transport.sendJSON(operation: "SendMessage", input: input, deadline: deadline)
    }

    public func sendMessageBatch(_ input: SQS.SendMessageBatchRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.SendMessageBatchResult
    {
        var input = input
        for index in input.entries.indices {
            input.entries[index].messageSystemAttributes = Self.tracing(input.entries[index].messageSystemAttributes)
        }
        return try await transport.sendJSON(operation: "SendMessageBatch", input: input, deadline: deadline)
    }

    static func tracing(
        _ attributes: [SQS.MessageSystemAttributeNameForSends: SQS.MessageSystemAttributeValue]?
    ) -> [SQS.MessageSystemAttributeNameForSends: SQS.MessageSystemAttributeValue]? {
        guard attributes?[.awsTraceHeader] == nil, let trace = InvocationTrace.current else { return attributes }
        var attributes = attributes ?? [:]
        attributes[.awsTraceHeader] = SQS.MessageSystemAttributeValue(stringValue: trace, dataType: "String")
        return attributes
    }

    public func receiveMessage(_ input: SQS.ReceiveMessageRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.ReceiveMessageResult
    {
        // A long poll legitimately holds the request for WaitTimeSeconds: give the attempt that
        // much more than usual, or it would time out waiting for an empty queue.
        let attemptTimeout = input.waitTimeSeconds.map { transport.options.attemptTimeout + .seconds($0) }
        return try await transport.sendJSON(
            operation: "ReceiveMessage", input: input, deadline: deadline, attemptTimeout: attemptTimeout)
    }

    public func deleteMessage(_ input: SQS.DeleteMessageRequest, deadline: ContinuousClock.Instant?) async throws {
        let _: EmptyOutput = try await transport.sendJSON(operation: "DeleteMessage", input: input, deadline: deadline)
    }

    public func deleteMessageBatch(_ input: SQS.DeleteMessageBatchRequest, deadline: ContinuousClock.Instant?)
        async throws
        -> SQS.DeleteMessageBatchResult
    {
        try await transport.sendJSON(operation: "DeleteMessageBatch", input: input, deadline: deadline)
    }

    public func changeMessageVisibility(_ input: SQS.ChangeMessageVisibilityRequest, deadline: ContinuousClock.Instant?)
        async throws
    {
        let _: EmptyOutput = try await transport.sendJSON(
            operation: "ChangeMessageVisibility", input: input, deadline: deadline)
    }

    public func getQueueAttributes(_ input: SQS.GetQueueAttributesRequest, deadline: ContinuousClock.Instant?)
        async throws
        -> SQS.GetQueueAttributesResult
    {
        try await transport.sendJSON(operation: "GetQueueAttributes", input: input, deadline: deadline)
    }

    public func getQueueUrl(_ input: SQS.GetQueueUrlRequest, deadline: ContinuousClock.Instant?) async throws
        -> SQS.GetQueueUrlResult
    {
        try await transport.sendJSON(operation: "GetQueueUrl", input: input, deadline: deadline)
    }
}
