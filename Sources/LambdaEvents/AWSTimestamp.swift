// FoundationEssentials has all this needs, without the ICU data full Foundation loads:
// a bootstrap's cold start and memory are what a Lambda user pays for.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A point in time as AWS wrote it in an event, available as a `Date`.
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

    public let date: Date
    public let representation: Representation

    public init(_ date: Date, format: Format) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        switch format {
        case .epochMilliseconds:
            representation = .epochMilliseconds(millis)
        case .epochSeconds:
            representation = .epochSeconds(millis / 1000)
        case .epochMillisecondsString:
            representation = .epochMillisecondsString(String(millis))
        case .iso8601:
            representation = .iso8601(TimestampFormatting.iso8601(millis: millis, fractional: false))
        case .iso8601WithFractionalSeconds:
            representation = .iso8601(TimestampFormatting.iso8601(millis: millis, fractional: true))
        case .commonLogFormat:
            representation = .commonLogFormat(TimestampFormatting.commonLog(millis: millis))
        }
        // Re-derive the date from what will be written so that decode(encode(x)) == x.
        self.date = (try? Self.parse(representation)) ?? date
    }

    public init(representation: Representation) throws {
        self.representation = representation
        self.date = try Self.parse(representation)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            guard let (representation, date) = Self.parse(string: string) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "\"\(string)\" is not a timestamp (expected epoch milliseconds, ISO 8601 or dd/MMM/yyyy:HH:mm:ss +0000)")
            }
            self.representation = representation
            self.date = date
        } else if let number = try? container.decode(Int64.self) {
            representation = number < 100_000_000_000 ? .epochSeconds(number) : .epochMilliseconds(number)
            date = try Self.parse(representation)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a timestamp: a string or a whole number of epoch milliseconds")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch representation {
        case let .epochMilliseconds(value), let .epochSeconds(value):
            try container.encode(value)
        case let .epochMillisecondsString(value), let .iso8601(value), let .commonLogFormat(value):
            try container.encode(value)
        }
    }

    public var description: String {
        switch representation {
        case let .epochMilliseconds(value), let .epochSeconds(value): String(value)
        case let .epochMillisecondsString(value), let .iso8601(value), let .commonLogFormat(value): value
        }
    }

    /// Milliseconds since 1970, the unit AWS uses most.
    public var millisecondsSince1970: Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    struct InvalidTimestamp: Error {}

    static func parse(_ representation: Representation) throws -> Date {
        switch representation {
        case let .epochMilliseconds(value):
            return Date(timeIntervalSince1970: Double(value) / 1000)
        case let .epochSeconds(value):
            return Date(timeIntervalSince1970: Double(value))
        case let .epochMillisecondsString(value), let .iso8601(value), let .commonLogFormat(value):
            guard let (_, date) = parse(string: value) else { throw InvalidTimestamp() }
            return date
        }
    }

    static func parse(string: String) -> (Representation, Date)? {
        var string = string
        return string.withUTF8 { bytes -> (Representation, Date)? in
            guard let first = bytes.first else { return nil }
            if bytes.count >= 10, bytes.count <= 3 + 10 + 3, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                var millis: Int64 = 0
                for byte in bytes { millis = millis * 10 + Int64(byte - 0x30) }
                return (.epochMillisecondsString(String(decoding: bytes, as: UTF8.self)),
                        Date(timeIntervalSince1970: Double(millis) / 1000))
            }
            if bytes.count > 4, bytes[4] == UInt8(ascii: "-"), let date = TimestampFormatting.parseISO8601(bytes) {
                return (.iso8601(String(decoding: bytes, as: UTF8.self)), date)
            }
            if first >= 0x30, first <= 0x39, bytes.count > 2, bytes[2] == UInt8(ascii: "/"),
               let date = TimestampFormatting.parseCommonLog(bytes) {
                return (.commonLogFormat(String(decoding: bytes, as: UTF8.self)), date)
            }
            return nil
        }
    }
}

/// Hand-written parsing and formatting: these run once per timestamp in every decoded event,
/// and Foundation's formatters are both slow and locale-sensitive.
enum TimestampFormatting {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var atEnd: Bool { index == bytes.count }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
                index += 1
            }
            return value
        }

        mutating func expect(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        /// `Z`, `+hh:mm`, `+hhmm` or `+hh`; returns the offset in seconds.
        mutating func zone() -> Int? {
            guard let sign = peek() else { return nil }
            index += 1
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") { return 0 }
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let hours = digits(2), hours < 24 else { return nil }
            var minutes = 0
            if !atEnd {
                _ = expect(":")
                guard let value = digits(2), value < 60 else { return nil }
                minutes = value
            }
            let offset = hours * 3600 + minutes * 60
            return sign == UInt8(ascii: "-") ? -offset : offset
        }
    }

    static func makeDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                         fraction: Double, offset: Int) -> Date? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `yyyy-MM-ddTHH:mm:ss[.fff…](Z|±hh:mm)`.
    static func parseISO8601(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.digits(4), cursor.expect("-"), let month = cursor.digits(2), cursor.expect("-"),
              let day = cursor.digits(2), cursor.expect("T") || cursor.expect("t") || cursor.expect(" "),
              let hour = cursor.digits(2), cursor.expect(":"), let minute = cursor.digits(2), cursor.expect(":"),
              let second = cursor.digits(2) else { return nil }
        var fraction = 0.0
        if cursor.expect(".") {
            var scale = 0.1
            var sawDigit = false
            while let byte = cursor.peek(), byte >= 0x30, byte <= 0x39 {
                fraction += Double(byte - 0x30) * scale
                scale /= 10
                cursor.index += 1
                sawDigit = true
            }
            guard sawDigit else { return nil }
        }
        guard let offset = cursor.zone(), cursor.atEnd else { return nil }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                        fraction: fraction, offset: offset)
    }

    /// `dd/MMM/yyyy:HH:mm:ss +0000` (API Gateway also sends it without the space).
    static func parseCommonLog(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = Cursor(bytes: bytes)
        guard let day = cursor.digits(2), cursor.expect("/"), cursor.index + 3 <= bytes.count else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[cursor.index..<cursor.index + 3]), as: UTF8.self)
        guard let monthIndex = monthNames.firstIndex(of: name) else { return nil }
        cursor.index += 3
        guard cursor.expect("/"), let year = cursor.digits(4), cursor.expect(":"), let hour = cursor.digits(2),
              cursor.expect(":"), let minute = cursor.digits(2), cursor.expect(":"), let second = cursor.digits(2)
        else { return nil }
        _ = cursor.expect(" ")
        guard let offset = cursor.zone(), cursor.atEnd else { return nil }
        return makeDate(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second,
                        fraction: 0, offset: offset)
    }

    static func split(millis: Int64) -> (days: Int, secondOfDay: Int, millisecond: Int) {
        let totalSeconds = Int(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let millisecond = Int(millis - Int64(totalSeconds) * 1000)
        let days = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        return (days, totalSeconds - days * 86_400, millisecond)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func iso8601(millis: Int64, fractional: Bool) -> String {
        let (days, secondOfDay, millisecond) = split(millis: millis)
        let (year, month, day) = civilFromDays(days)
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractional { text += ".\(pad(millisecond, 3))" }
        return text + "Z"
    }

    static func commonLog(millis: Int64) -> String {
        let (days, secondOfDay, _) = split(millis: millis)
        let (year, month, day) = civilFromDays(days)
        return "\(pad(day, 2))/\(monthNames[month - 1])/\(pad(year, 4)):\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) +0000"
    }
}
