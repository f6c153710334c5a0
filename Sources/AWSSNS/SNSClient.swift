import AWSCore
import LambdaHTTP
import Logging

extension AWSService {
    public static let sns = AWSService(
        name: "SNS", signingName: "sns", endpointPrefix: "sns", environmentSuffix: "SNS",
        wireProtocol: .query(apiVersion: "2010-03-31"))
}

/// A message attribute (the model's `MessageAttributeValue`). Subscription filter policies
/// match on these.
extension SNS.MessageAttributeValue {
    public static func string(_ value: String) -> Self { Self(dataType: "String", stringValue: value) }
    public static func number(_ value: some Numeric & CustomStringConvertible) -> Self {
        Self(dataType: "Number", stringValue: value.description)
    }
    public static func binary(_ value: [UInt8]) -> Self { Self(dataType: "Binary", binaryValue: value) }
}

public protocol SNSClientProtocol: Sendable {
    func publish(_ input: SNS.PublishInput, deadline: ContinuousClock.Instant?) async throws -> SNS.PublishResponse
    func publishBatch(_ input: SNS.PublishBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SNS.PublishBatchResponse
}

extension SNSClientProtocol {
    public func publish(_ input: SNS.PublishInput) async throws -> SNS.PublishResponse {
        try await publish(input, deadline: nil)
    }
    public func publishBatch(_ input: SNS.PublishBatchInput) async throws -> SNS.PublishBatchResponse {
        try await publishBatch(input, deadline: nil)
    }
}

/// SNS over the query protocol: form-encoded requests, XML responses.
public struct SNSClient: SNSClientProtocol, AWSServiceClient {
    public static let service = AWSService.sns
    public let transport: AWSTransport

    public init(boundTransport transport: AWSTransport) {
        self.transport = transport
    }

    public func publish(_ input: SNS.PublishInput, deadline: ContinuousClock.Instant?) async throws
        -> SNS.PublishResponse
    {
        let root = try await transport.sendQuery(
            operation: "Publish", parameters: input.queryParameters, deadline: deadline)
        return try result(SNS.PublishResponse.init(xml:), in: root, element: "PublishResult", operation: "Publish")
    }

    public func publishBatch(_ input: SNS.PublishBatchInput, deadline: ContinuousClock.Instant?) async throws
        -> SNS.PublishBatchResponse
    {
        let root = try await transport.sendQuery(
            operation: "PublishBatch", parameters: input.queryParameters, deadline: deadline)
        return try result(
            SNS.PublishBatchResponse.init(xml:), in: root, element: "PublishBatchResult", operation: "PublishBatch")
    }

    /// The operation's result element read into its shape; a response without one is unreadable.
    private func result<Output>(
        _ read: (XMLElementNode) throws -> Output, in root: XMLElementNode, element: String, operation: String
    ) throws -> Output {
        guard let node = root.descendant(element) else {
            throw AWSTransportError.invalidResponse(service: "SNS", operation: operation, reason: "no <\(element)>")
        }
        do {
            return try read(node)
        } catch {
            throw AWSTransportError.invalidResponse(service: "SNS", operation: operation, reason: "\(error)")
        }
    }
}
