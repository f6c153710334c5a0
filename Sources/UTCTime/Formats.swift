// The text forms of a UTCTime that AWS writes and reads, by hand: they run for every
// timestamp of every decoded event and every signed request.

extension UTCTime {
    /// `2026-12-05T03:36:06Z`, or with `fractionalDigits` (1 to 9) of the second: `…06.123Z`.
    public func iso8601(fractionalDigits: Int = 0) -> String {
        let c = components
        var text = TextBuilder()
        text.digits(c.year, 4)
        text.byte("-")
        text.digits(c.month, 2)
        text.byte("-")
        text.digits(c.day, 2)
        text.byte("T")
        text.clock(c)
        if fractionalDigits > 0 {
            text.byte(".")
            var fraction = c.nanosecond
            for _ in fractionalDigits..<9 { fraction /= 10 }
            text.digits(fraction, min(fractionalDigits, 9))
        }
        text.byte("Z")
        return text.string
    }

    /// `20261205T033606Z`: SigV4's `X-Amz-Date`.
    public var amzDate: String {
        let c = components
        var text = TextBuilder()
        text.digits(c.year, 4)
        text.digits(c.month, 2)
        text.digits(c.day, 2)
        text.byte("T")
        text.digits(c.hour, 2)
        text.digits(c.minute, 2)
        text.digits(c.second, 2)
        text.byte("Z")
        return text.string
    }

    /// `20261205`: the date of a SigV4 credential scope.
    public var dateStamp: String { String(amzDate.prefix(8)) }

    /// `05/Dec/2026:03:36:06 +0000`: API Gateway's `requestTime`.
    public var commonLogFormat: String {
        let c = components
        var text = TextBuilder()
        text.digits(c.day, 2)
        text.byte("/")
        text.append(Calendar.monthNames[c.month - 1])
        text.byte("/")
        text.digits(c.year, 4)
        text.byte(":")
        text.clock(c)
        text.append(" +0000")
        return text.string
    }

    /// `Sat, 05 Dec 2026 03:36:06 GMT`: HTTP's `Date` (RFC 9110's IMF-fixdate).
    public var httpDate: String {
        let c = components
        var text = TextBuilder()
        text.append(Calendar.weekdayNames[isoWeekday - 1])
        text.append(", ")
        text.digits(c.day, 2)
        text.byte(" ")
        text.append(Calendar.monthNames[c.month - 1])
        text.byte(" ")
        text.digits(c.year, 4)
        text.byte(" ")
        text.clock(c)
        text.append(" GMT")
        return text.string
    }
}

// MARK: - Parsing

extension UTCTime {
    /// `yyyy-MM-ddTHH:mm:ss[.f…](Z|±hh:mm|±hhmm|±hh)`; `t` or a space may stand for `T`.
    public init?(iso8601 text: some StringProtocol) {
        guard
            let time = text.utf8.withContiguousStorageIfAvailable({ Self.parseISO8601($0) })
                ?? Self.parseISO8601(Array(text.utf8))
        else { return nil }
        self = time
    }

    /// `dd/MMM/yyyy:HH:mm:ss +0000` (API Gateway also sends it without the space).
    public init?(commonLogFormat text: some StringProtocol) {
        guard let time = Self.parseCommonLog(Array(text.utf8)) else { return nil }
        self = time
    }

    /// `yyyyMMddTHHmmssZ`.
    public init?(amzDate text: some StringProtocol) {
        var cursor = Cursor(Array(text.utf8))
        guard let year = cursor.digits(4), let month = cursor.digits(2), let day = cursor.digits(2), cursor.expect("T"),
            let hour = cursor.digits(2), let minute = cursor.digits(2), let second = cursor.digits(2),
            cursor.expect("Z"),
            cursor.atEnd
        else { return nil }
        self.init(Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// `Sat, 05 Dec 2026 03:36:06 GMT`.
    public init?(httpDate text: some StringProtocol) {
        var cursor = Cursor(Array(text.utf8))
        guard cursor.skip(3), cursor.expect(","), cursor.expect(" "), let day = cursor.digits(2), cursor.expect(" "),
            let month = cursor.monthName(), cursor.expect(" "), let year = cursor.digits(4), cursor.expect(" "),
            let hour = cursor.digits(2), cursor.expect(":"), let minute = cursor.digits(2), cursor.expect(":"),
            let second = cursor.digits(2), cursor.expect(" "), cursor.expect("G"), cursor.expect("M"),
            cursor.expect("T"),
            cursor.atEnd
        else { return nil }
        self.init(Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    static func parseISO8601(_ bytes: some RandomAccessCollection<UInt8>) -> UTCTime? {
        var cursor = Cursor(bytes)
        guard let year = cursor.digits(4), cursor.expect("-"), let month = cursor.digits(2), cursor.expect("-"),
            let day = cursor.digits(2), cursor.expect("T") || cursor.expect("t") || cursor.expect(" "),
            let hour = cursor.digits(2), cursor.expect(":"), let minute = cursor.digits(2), cursor.expect(":"),
            let second = cursor.digits(2)
        else { return nil }
        var nanosecond = 0
        if cursor.expect(".") {
            var scale = 100_000_000
            var sawDigit = false
            while let digit = cursor.digit() {
                nanosecond += digit * scale
                scale /= 10
                sawDigit = true
            }
            guard sawDigit else { return nil }
        }
        guard let offset = cursor.zone(), cursor.atEnd else { return nil }
        return UTCTime(
            Components(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond),
            offsetSeconds: offset)
    }

    static func parseCommonLog(_ bytes: [UInt8]) -> UTCTime? {
        var cursor = Cursor(bytes)
        guard let day = cursor.digits(2), cursor.expect("/"), let month = cursor.monthName(), cursor.expect("/"),
            let year = cursor.digits(4), cursor.expect(":"), let hour = cursor.digits(2), cursor.expect(":"),
            let minute = cursor.digits(2), cursor.expect(":"), let second = cursor.digits(2)
        else { return nil }
        _ = cursor.expect(" ")
        guard let offset = cursor.zone(), cursor.atEnd else { return nil }
        return UTCTime(
            Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second),
            offsetSeconds: offset)
    }
}

private struct Cursor<Bytes: RandomAccessCollection<UInt8>> {
    let bytes: Bytes
    var index: Bytes.Index

    init(_ bytes: Bytes) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var atEnd: Bool { index == bytes.endIndex }

    mutating func digit() -> Int? {
        guard index != bytes.endIndex, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
        defer { bytes.formIndex(after: &index) }
        return Int(bytes[index] - 0x30)
    }

    mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    mutating func expect(_ character: Unicode.Scalar) -> Bool {
        guard index != bytes.endIndex, bytes[index] == UInt8(ascii: character) else { return false }
        bytes.formIndex(after: &index)
        return true
    }

    mutating func skip(_ count: Int) -> Bool {
        guard bytes.distance(from: index, to: bytes.endIndex) >= count else { return false }
        index = bytes.index(index, offsetBy: count)
        return true
    }

    /// `Jan` … `Dec`, as 1 … 12.
    mutating func monthName() -> Int? {
        guard bytes.distance(from: index, to: bytes.endIndex) >= 3 else { return nil }
        let end = bytes.index(index, offsetBy: 3)
        let name = bytes[index..<end]
        guard let month = Calendar.monthNames.firstIndex(where: { $0.utf8.elementsEqual(name) }) else { return nil }
        index = end
        return month + 1
    }

    /// `Z`, `+hh:mm`, `+hhmm` or `+hh`: the offset from UTC in seconds.
    mutating func zone() -> Int? {
        if expect("Z") || expect("z") { return 0 }
        let sign: Int
        if expect("+") {
            sign = 1
        } else if expect("-") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(2), hours < 24 else { return nil }
        var minutes = 0
        if !atEnd {
            _ = expect(":")
            guard let value = digits(2), value < 60 else { return nil }
            minutes = value
        }
        return sign * (hours * 3600 + minutes * 60)
    }
}

/// Appends ASCII to one byte buffer: formatting a timestamp makes one String, not ten.
private struct TextBuilder {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(32) }

    mutating func byte(_ character: Unicode.Scalar) { bytes.append(UInt8(ascii: character)) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `value` zero-padded to `width` digits; a wider value is written whole.
    mutating func digits(_ value: Int, _ width: Int) {
        var value = value
        if value < 0 {
            byte("-")
            value = -value
        }
        var reversed: [UInt8] = []
        repeat {
            reversed.append(UInt8(0x30 + value % 10))
            value /= 10
        } while value > 0
        for _ in reversed.count..<max(width, reversed.count) { bytes.append(0x30) }
        bytes.append(contentsOf: reversed.reversed())
    }

    /// `HH:mm:ss`.
    mutating func clock(_ c: UTCTime.Components) {
        digits(c.hour, 2)
        byte(":")
        digits(c.minute, 2)
        byte(":")
        digits(c.second, 2)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// RFC 3339 text in JSON (`"2026-03-14T09:26:53.250Z"`, nanoseconds when there are any), the
/// form AWS's JSON APIs and CloudEvents use; stores such as DynamoDB choose their own form.
extension UTCTime: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let time = UTCTime(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an RFC 3339 timestamp, found \"\(text)\"")
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601(fractionalDigits: nanosecondsSince1970 % 1_000_000 == 0 ? 3 : 9))
    }
}
