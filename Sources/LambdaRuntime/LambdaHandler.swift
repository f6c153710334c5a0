import JSONCoding

/// A function that takes a decoded event and returns an encodable result.
///
/// `handle` may be synchronous or `async`: a synchronous method satisfies the requirement.
/// The runtime builds the handler once, in the init phase, and calls it for every
/// invocation of the process, one at a time.
public protocol LambdaHandler: Sendable {
    associatedtype Event: Decodable
    associatedtype Output: Encodable

    func handle(_ event: Event, context: LambdaContext) async throws -> Output
}

/// A function over the raw invocation payload, for events that are not JSON or for
/// handlers that parse their own.
public protocol RawLambdaHandler: Sendable {
    func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8]
}

/// A typed handler from a closure.
public struct ClosureHandler<Event: Decodable, Output: Encodable>: LambdaHandler {
    private let body: @Sendable (Event, LambdaContext) async throws -> Output

    public init(_ body: @escaping @Sendable (Event, LambdaContext) async throws -> Output) {
        self.body = body
    }

    public func handle(_ event: Event, context: LambdaContext) async throws -> Output {
        try await body(event, context)
    }
}

/// A raw handler from a closure.
public struct RawClosureHandler: RawLambdaHandler {
    private let body: @Sendable ([UInt8], LambdaContext) async throws -> [UInt8]

    public init(_ body: @escaping @Sendable ([UInt8], LambdaContext) async throws -> [UInt8]) {
        self.body = body
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        try await body(event, context)
    }
}

/// Returns nothing, for handlers whose callers only need success or failure; Lambda
/// sees the JSON `null`.
public struct NoOutput: Encodable, Sendable {
    public init() {}
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

/// Adapts a typed handler to raw bytes: JSON decode, handle, JSON encode. The runtime
/// and the testing kit both go through this one path.
public struct JSONCodingHandler<Handler: LambdaHandler>: RawLambdaHandler {
    public let handler: Handler

    public init(_ handler: Handler) {
        self.handler = handler
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let decoded: Handler.Event = try JSONEventCoding.decode(event)
        return try JSONEventCoding.encode(try await handler.handle(decoded, context: context))
    }
}

/// Events in, results out, as JSON, with the errors Lambda's runtimes report for each failure.
package enum JSONEventCoding {
    package static func decode<Event: Decodable>(_ bytes: [UInt8]) throws(InvocationError) -> Event {
        do {
            return try JSON.decode(Event.self, from: bytes)
        } catch {
            throw InvocationError(
                type: "Runtime.UnmarshalError",
                message: "cannot decode the event as \(Event.self): \(describeDecodingError(error))")
        }
    }

    package static func encode<Output: Encodable>(_ output: Output) throws(InvocationError) -> [UInt8] {
        do {
            return try JSON.encode(output)
        } catch {
            throw InvocationError(
                type: "Runtime.MarshalError", message: "cannot encode the result \(Output.self) as JSON: \(error)")
        }
    }
}

/// A decoding error as one line: where in the document, and what was wrong there.
public func describeDecodingError(_ error: any Error) -> String {
    func path(_ codingPath: [any CodingKey]) -> String {
        var result = "$"
        for key in codingPath {
            if let index = key.intValue { result += "[\(index)]" } else { result += ".\(key.stringValue)" }
        }
        return result
    }
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .typeMismatch(let type, let context):
        return "at \(path(context.codingPath)): expected \(type): \(context.debugDescription)"
    case .valueNotFound(let type, let context):
        return "at \(path(context.codingPath)): expected \(type), found null"
    case .keyNotFound(let key, let context):
        return "at \(path(context.codingPath + [key])): required key is missing"
    case .dataCorrupted(let context):
        // The coder's syntax errors are the description already ("at byte 17: expected ...").
        let underlying = context.underlyingError.flatMap { $0 is JSONSyntaxError ? nil : ": \($0)" } ?? ""
        return "at \(path(context.codingPath)): \(context.debugDescription)\(underlying)"
    @unknown default:
        return "\(error)"
    }
}
