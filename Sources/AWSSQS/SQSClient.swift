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
    func sendMessage(_ input: SendMessageInput, deadline: ContinuousClock.Instant?) async throws -> SendMessageOutput
    func sendMessageBatch(_ input: SendMessageBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SendMessageBatchOutput
    func receiveMessage(_ input: ReceiveMessageInput, deadline: ContinuousClock.Instant?) async throws
        -> ReceiveMessageOutput
    func deleteMessage(_ input: DeleteMessageInput, deadline: ContinuousClock.Instant?) async throws
    func deleteMessageBatch(_ input: DeleteMessageBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> DeleteMessageBatchOutput
    func changeMessageVisibility(_ input: ChangeMessageVisibilityInput, deadline: ContinuousClock.Instant?) async throws
    func getQueueAttributes(_ input: GetQueueAttributesInput, deadline: ContinuousClock.Instant?) async throws
        -> GetQueueAttributesOutput
    func getQueueUrl(_ input: GetQueueUrlInput, deadline: ContinuousClock.Instant?) async throws -> GetQueueUrlOutput
}

extension SQSClientProtocol {
    public func sendMessage(_ input: SendMessageInput) async throws -> SendMessageOutput {
        try await sendMessage(input, deadline: nil)
    }
    public func sendMessageBatch(_ input: SendMessageBatchInput) async throws -> SendMessageBatchOutput {
        try await sendMessageBatch(input, deadline: nil)
    }
    public func receiveMessage(_ input: ReceiveMessageInput) async throws -> ReceiveMessageOutput {
        try await receiveMessage(input, deadline: nil)
    }
    public func deleteMessage(_ input: DeleteMessageInput) async throws {
        try await deleteMessage(input, deadline: nil)
    }
    public func deleteMessageBatch(_ input: DeleteMessageBatchInput) async throws -> DeleteMessageBatchOutput {
        try await deleteMessageBatch(input, deadline: nil)
    }
    public func changeMessageVisibility(_ input: ChangeMessageVisibilityInput) async throws {
        try await changeMessageVisibility(input, deadline: nil)
    }
    public func getQueueAttributes(_ input: GetQueueAttributesInput) async throws -> GetQueueAttributesOutput {
        try await getQueueAttributes(input, deadline: nil)
    }
    public func getQueueUrl(_ input: GetQueueUrlInput) async throws -> GetQueueUrlOutput {
        try await getQueueUrl(input, deadline: nil)
    }
}

/// SQS over the JSON 1.0 protocol (requests go to the service endpoint; the queue is named
/// by `QueueUrl` in the body).
public struct SQSClient: SQSClientProtocol, AWSServiceClient {
    public static let service = AWSService.sqs
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func sendMessage(_ input: SendMessageInput, deadline: ContinuousClock.Instant?) async throws
        -> SendMessageOutput
    {
        try await transport.sendJSON(operation: "SendMessage", input: input, deadline: deadline)
    }

    public func sendMessageBatch(_ input: SendMessageBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SendMessageBatchOutput
    {
        try await transport.sendJSON(operation: "SendMessageBatch", input: input, deadline: deadline)
    }

    public func receiveMessage(_ input: ReceiveMessageInput, deadline: ContinuousClock.Instant?) async throws
        -> ReceiveMessageOutput
    {
        // A long poll legitimately holds the request for WaitTimeSeconds: give the attempt that
        // much more than usual, or it would time out waiting for an empty queue.
        let attemptTimeout = input.waitTimeSeconds.map { transport.options.attemptTimeout + .seconds($0) }
        return try await transport.sendJSON(
            operation: "ReceiveMessage", input: input, deadline: deadline, attemptTimeout: attemptTimeout)
    }

    public func deleteMessage(_ input: DeleteMessageInput, deadline: ContinuousClock.Instant?) async throws {
        let _: EmptyOutput = try await transport.sendJSON(operation: "DeleteMessage", input: input, deadline: deadline)
    }

    public func deleteMessageBatch(_ input: DeleteMessageBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> DeleteMessageBatchOutput
    {
        try await transport.sendJSON(operation: "DeleteMessageBatch", input: input, deadline: deadline)
    }

    public func changeMessageVisibility(_ input: ChangeMessageVisibilityInput, deadline: ContinuousClock.Instant?)
        async throws
    {
        let _: EmptyOutput = try await transport.sendJSON(
            operation: "ChangeMessageVisibility", input: input, deadline: deadline)
    }

    public func getQueueAttributes(_ input: GetQueueAttributesInput, deadline: ContinuousClock.Instant?) async throws
        -> GetQueueAttributesOutput
    {
        try await transport.sendJSON(operation: "GetQueueAttributes", input: input, deadline: deadline)
    }

    public func getQueueUrl(_ input: GetQueueUrlInput, deadline: ContinuousClock.Instant?) async throws
        -> GetQueueUrlOutput
    {
        try await transport.sendJSON(operation: "GetQueueUrl", input: input, deadline: deadline)
    }
}
