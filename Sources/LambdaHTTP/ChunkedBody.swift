/// A request body written while it is being sent: the writer appends chunks as it produces them,
/// curl sends each with `Transfer-Encoding: chunked` as soon as it is there, and `finish` sets
/// the trailers that follow the last chunk.
///
/// The writer blocks while more than `bufferLimit` bytes wait to be sent, so a fast producer
/// cannot outrun the connection by more than that.
public final class ChunkedBody: Sendable {
    public let bufferLimit: Int

    private struct State {
        var pending: [UInt8] = []
        var start = 0
        var finished = false
        var cancelled = false
        var trailers = HTTPHeaders()
        var sent = 0
    }

    private let state = Guarded(State())

    public init(bufferLimit: Int = 1 << 20) {
        self.bufferLimit = bufferLimit
    }

    /// Queues `bytes` to be sent. Returns `false` when the request is over (sent or failed), so
    /// nothing more can be written.
    @discardableResult
    public func write(_ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return !isClosed }
        return state.wait { state -> Bool? in
            guard !state.finished, !state.cancelled else { return false }
            guard state.pending.count - state.start < bufferLimit else { return nil }
            if state.start > 0, state.start == state.pending.count {
                state.pending.removeAll(keepingCapacity: true)
                state.start = 0
            }
            state.pending.append(contentsOf: bytes)
            return true
        }
    }

    /// Ends the body; `trailers` follow the last chunk.
    public func finish(trailers: HTTPHeaders = [:]) {
        state.update { state in
            guard !state.finished else { return }
            state.finished = true
            state.trailers = trailers
        }
    }

    /// The transfer ended without the body: writers stop waiting.
    func cancel() {
        state.update { $0.cancelled = true }
    }

    public var isClosed: Bool { state.update { $0.finished || $0.cancelled } }

    /// Bytes curl has taken so far.
    public var bytesSent: Int { state.update { $0.sent } }

    /// Curl's read callback: up to `capacity` bytes into `buffer`, waiting for the writer; 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        state.wait { state -> Int? in
            let available = state.pending.count - state.start
            guard available > 0 else { return state.finished || state.cancelled ? 0 : nil }
            let count = min(available, capacity)
            state.pending.withUnsafeBytes { source in
                buffer.copyMemory(from: source.baseAddress! + state.start, byteCount: count)
            }
            state.start += count
            state.sent += count
            if state.start > 1 << 20, state.start * 2 > state.pending.count {
                state.pending.removeFirst(state.start)
                state.start = 0
            }
            return count
        }
    }

    var trailers: HTTPHeaders { state.update { $0.trailers } }
}
