import LambdaHTTP

/// The body of a chunked request, read chunk by chunk while the client still sends it: what
/// a handler gets when the server was told to stream that request.
///
/// `@unchecked Sendable`: it belongs to its connection's thread, which runs the handler; it
/// must not be read from another.
public final class RequestBodyStream: @unchecked Sendable {
    private let connection: Connection
    public private(set) var finished = false
    /// Bytes read so far.
    public private(set) var count = 0

    init(connection: Connection) {
        self.connection = connection
    }

    /// The next chunk, or `nil` at the end. Throws on a malformed body or a closed connection.
    public func next() throws -> [UInt8]? {
        guard !finished else { return nil }
        do {
            guard let chunk = try connection.nextChunk(limit: connection.maximumBodySize - count) else {
                finished = true
                return nil
            }
            count += chunk.count
            return chunk
        } catch let error as RequestError {
            finished = true
            throw RequestBodyError(
                status: error.response.status, reason: String(decoding: error.response.body, as: UTF8.self))
        }
    }

    /// The trailers, once `next()` has returned `nil`.
    public var trailers: HTTPHeaders { finished ? connection.trailers : [:] }

    /// Reads and drops whatever is left, so the connection can serve its next request.
    func drain() throws {
        while try next() != nil {}
    }
}

public struct RequestBodyError: Error, CustomStringConvertible {
    public var status: Int
    public var reason: String
    public var description: String { "\(status): \(reason)" }
}

/// Writes a streamed response's body, one chunk per `write`, sent at once.
///
/// `@unchecked Sendable`: the reply's closure runs on the connection's thread and the writer
/// must be used from there, or from one thread the closure waits on.
public final class ResponseBodyWriter: @unchecked Sendable {
    private let connection: Connection
    public private(set) var isOpen = true

    init(connection: Connection) {
        self.connection = connection
    }

    /// `false` once the client has gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard isOpen else { return false }
        isOpen = connection.sendChunk(bytes)
        return isOpen
    }
}
