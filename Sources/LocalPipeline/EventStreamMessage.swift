import Hashing

/// One message of AWS's event-stream framing (`application/vnd.amazon.eventstream`), the
/// binary framing of Lambda's InvokeWithResponseStream and of every AWS streaming API.
///
/// A message is a prelude (total length, headers length, the prelude's CRC-32), the headers,
/// the payload, and the whole message's CRC-32; every integer big-endian. Only string headers
/// (type 7) are written: the only kind Lambda's stream events carry.
public struct EventStreamMessage: Sendable, Equatable {
    public var headers: [(name: String, value: String)]
    public var payload: [UInt8]

    public init(headers: [(name: String, value: String)], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// An event of the stream: `:event-type` names it, as the API's model does.
    public static func event(_ type: String, contentType: String, payload: [UInt8]) -> EventStreamMessage {
        EventStreamMessage(
            headers: [(":event-type", type), (":content-type", contentType), (":message-type", "event")],
            payload: payload)
    }

    public static func == (lhs: EventStreamMessage, rhs: EventStreamMessage) -> Bool {
        lhs.payload == rhs.payload && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    public var encoded: [UInt8] {
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            let nameBytes = Array(name.utf8)
            let valueBytes = Array(value.utf8)
            precondition(nameBytes.count <= Int(UInt8.max) && valueBytes.count <= Int(UInt16.max))
            headerBytes.append(UInt8(nameBytes.count))
            headerBytes += nameBytes
            headerBytes.append(7)
            Self.append(UInt16(valueBytes.count), to: &headerBytes)
            headerBytes += valueBytes
        }
        var message: [UInt8] = []
        message.reserveCapacity(16 + headerBytes.count + payload.count)
        Self.append(UInt32(16 + headerBytes.count + payload.count), to: &message)
        Self.append(UInt32(headerBytes.count), to: &message)
        Self.append(CRC32.checksum(message), to: &message)
        message += headerBytes
        message += payload
        Self.append(CRC32.checksum(message), to: &message)
        return message
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }
}
