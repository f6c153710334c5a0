/// A function that writes its response in pieces as it produces them (response streaming): the
/// caller gets the first bytes while the handler still runs, and the 6 MB limit of buffered
/// responses does not apply (Lambda streams up to 200 MB).
///
/// A failure before the first byte is an ordinary error; after it, Lambda passes the error to
/// the caller in the stream's trailers.
public protocol StreamingLambdaHandler: Sendable {
    func handle(_ event: [UInt8], responseWriter: LambdaResponseStreamWriter, context: LambdaContext) async throws
}

/// A function that answers first and works after: `outputWriter.write` sends the response at
/// once, and the handler may go on (flush a batch, write an audit record). Lambda bills and the
/// runtime waits until `handle` returns; only then is the next event asked for.
public protocol LambdaWithBackgroundProcessingHandler: Sendable {
    associatedtype Event: Decodable
    associatedtype Output: Encodable & Sendable

    func handle(_ event: Event, outputWriter: LambdaResponseWriter<Output>, context: LambdaContext) async throws
}

/// The one shape the runtime runs: each kind of handler is adapted to it.
public protocol InvocationHandler: Sendable {
    func run(_ event: [UInt8], response: InvocationResponse, context: LambdaContext) async throws
}

/// Buffered: the handler's return value is the response.
public struct BufferedInvocation<Handler: RawLambdaHandler>: InvocationHandler {
    public let handler: Handler

    public init(_ handler: Handler) { self.handler = handler }

    public func run(_ event: [UInt8], response: InvocationResponse, context: LambdaContext) async throws {
        try await response.respond(try await handler.handle(event, context: context))
    }
}

public struct StreamingInvocation<Handler: StreamingLambdaHandler>: InvocationHandler {
    public let handler: Handler

    public init(_ handler: Handler) { self.handler = handler }

    public func run(_ event: [UInt8], response: InvocationResponse, context: LambdaContext) async throws {
        try await handler.handle(event, responseWriter: LambdaResponseStreamWriter(state: response), context: context)
        try await response.finish()
    }
}

public struct BackgroundProcessingInvocation<Handler: LambdaWithBackgroundProcessingHandler>: InvocationHandler {
    public let handler: Handler

    public init(_ handler: Handler) { self.handler = handler }

    public func run(_ event: [UInt8], response: InvocationResponse, context: LambdaContext) async throws {
        let decoded: Handler.Event = try JSONEventCoding.decode(event)
        let writer = LambdaResponseWriter<Handler.Output>(state: response, encode: { try JSONEventCoding.encode($0) })
        try await handler.handle(decoded, outputWriter: writer, context: context)
        if case .pending = response.current {
            throw InvocationError(
                type: "Runtime.NoResponse", message: "the handler returned without writing a response")
        }
    }
}
