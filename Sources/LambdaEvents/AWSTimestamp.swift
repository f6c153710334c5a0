import UTCTime

/// A point in time as AWS wrote it in an event, available as a ``UTCTime``.
///
/// AWS uses several forms, sometimes for the same field: SQS sends epoch milliseconds as a
/// string (`"1520621625029"`), API Gateway sends them as a number, SAM local sends epoch
/// *seconds*, SNS and EventBridge send ISO 8601 with or without fractional seconds, and API
/// Gateway's `requestTime` uses the common log format (`09/Apr/2015:12:34:56 +0000`). The
/// original form is kept so that a decoded event re-encodes to the same JSON value.
public struct AWSTimestamp: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Representation: Sendable, Hashable {
        /// A JSON number of milliseconds since 1970.
        case epochMilliseconds(Int64)
        /// A JSON number of seconds since 1970. Numbers below 10^11 are read as seconds:
        /// as milliseconds they would all fall in the first 40 days of 1970.
        case epochSeconds(Int64)
        /// A JSON string of digits: milliseconds since 1970.
        case epochMillisecondsString(String)
        /// An ISO 8601 / RFC 3339 string, with or without fractional seconds.
        case iso8601(String)
        /// API Gateway's `requestTime`: `dd/MMM/yyyy:HH:mm:ss +0000`.
        case commonLogFormat(String)
    }

    /// The form to write a new timestamp in.
    public enum Format: Sendable, Hashable {
        case epochMilliseconds, epochSeconds, epochMillisecondsString
        case iso8601, iso8601WithFractionalSeconds, commonLogFormat
    }

    public let time: UTCTime
    public let representation: Representation

    public init(_ time: UTCTime, format: Format) {
        let millis = time.millisecondsSince1970
        switch format {
        case .epochMilliseconds:
            representation = .epochMilliseconds(millis)
        case .epochSeconds:
            representation = .epochSeconds(time.wholeSecondsSince1970)
        case .epochMillisecondsString:
            representation = .epochMillisecondsString(String(millis))
        case .iso8601:
            representation = .iso8601(time.iso8601())
        case .iso8601WithFractionalSeconds:
            representation = .iso8601(time.iso8601(fractionalDigits: 3))
        case .commonLogFormat:
            representation = .commonLogFormat(time.commonLogFormat)
        }
        // Re-derive the time from what will be written so that decode(encode(x)) == x.
        self.time = (try? Self.parse(representation)) ?? time
    }

    public init(representation: Representation) throws {
        self.representation = representation
        self.time = try Self.parse(representation)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            guard let (representation, time) = Self.parse(string: string) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription:
                        "\"\(string)\" is not a timestamp (expected epoch milliseconds, ISO 8601 or dd/MMM/yyyy:HH:mm:ss +0000)"
                )
            }
            self.representation = representation
            self.time = time
        } else if let number = try? container.decode(Int64.self) {
            representation = number < 100_000_000_000 ? .epochSeconds(number) : .epochMilliseconds(number)
            time = try Self.parse(representation)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a timestamp: a string or a whole number of epoch milliseconds")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch representation {
        case .epochMilliseconds(let value), .epochSeconds(let value):
            try container.encode(value)
        case .epochMillisecondsString(let value), .iso8601(let value), .commonLogFormat(let value):
            try container.encode(value)
        }
    }

    public var description: String {
        switch representation {
        case .epochMilliseconds(let value), .epochSeconds(let value): String(value)
        case .epochMillisecondsString(let value), .iso8601(let value), .commonLogFormat(let value): value
        }
    }

    /// Milliseconds since 1970, the unit AWS uses most.
    public var millisecondsSince1970: Int64 { time.millisecondsSince1970 }

    struct InvalidTimestamp: Error {}

    static func parse(_ representation: Representation) throws -> UTCTime {
        switch representation {
        case .epochMilliseconds(let value):
            guard let time = UTCTime(exactlyMillisecondsSince1970: value) else { throw InvalidTimestamp() }
            return time
        case .epochSeconds(let value):
            guard let time = UTCTime(exactlySecondsSince1970: value) else { throw InvalidTimestamp() }
            return time
        case .epochMillisecondsString(let value), .iso8601(let value), .commonLogFormat(let value):
            guard let (_, time) = parse(string: value) else { throw InvalidTimestamp() }
            return time
        }
    }

    static func parse(string: String) -> (Representation, UTCTime)? {
        let bytes = string.utf8
        guard let first = bytes.first else { return nil }
        if bytes.count >= 10, bytes.count <= 3 + 10 + 3, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var millis: Int64 = 0
            for byte in bytes { millis = millis * 10 + Int64(byte - 0x30) }
            return UTCTime(exactlyMillisecondsSince1970: millis).map { (.epochMillisecondsString(string), $0) }
        }
        if bytes.count > 4, bytes[bytes.index(bytes.startIndex, offsetBy: 4)] == UInt8(ascii: "-"),
            let time = UTCTime(iso8601: string)
        {
            return (.iso8601(string), time)
        }
        if first >= 0x30, first <= 0x39, let time = UTCTime(commonLogFormat: string) {
            return (.commonLogFormat(string), time)
        }
        return nil
    }
}
