#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An instant in UTC at nanosecond precision, with the civil calendar and the text forms AWS
/// uses, and nothing else: no time zones, no locales, no Foundation.
///
/// The range is that of `Int64` nanoseconds since 1970: the years 1678 to 2262.
public struct UTCTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSince1970: Int64

    public init(nanosecondsSince1970: Int64) {
        self.nanosecondsSince1970 = nanosecondsSince1970
    }

    public init(secondsSince1970: Int64, nanosecond: Int64 = 0) {
        self.init(nanosecondsSince1970: secondsSince1970 * 1_000_000_000 + nanosecond)
    }

    public init(millisecondsSince1970: Int64) {
        self.init(nanosecondsSince1970: millisecondsSince1970 * 1_000_000)
    }

    // The exactly- forms are for values read from outside: beyond the range (a CloudEvent
    // timed 9999-12-31, an epoch in milliseconds of 17 digits) they are nil where the plain
    // forms would overflow and stop the process.

    /// `nil` outside the years 1678 to 2262.
    public init?(exactlySecondsSince1970 seconds: Int64, nanosecond: Int64 = 0) {
        let (scaled, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, alsoOverflowed) = scaled.addingReportingOverflow(nanosecond)
        guard !overflowed, !alsoOverflowed else { return nil }
        self.init(nanosecondsSince1970: sum)
    }

    /// `nil` outside the years 1678 to 2262.
    public init?(exactlyMillisecondsSince1970 milliseconds: Int64) {
        let (scaled, overflowed) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflowed else { return nil }
        self.init(nanosecondsSince1970: scaled)
    }

    /// `nil` outside the years 1678 to 2262, and for infinities and NaN.
    public init?(exactlySecondsSince1970 seconds: Double) {
        // 9.2e9 s is the edge of Int64 nanoseconds; the exact check follows.
        guard seconds.isFinite, abs(seconds) < 9.2e9 else { return nil }
        let whole = seconds.rounded(.down)
        self.init(exactlySecondsSince1970: Int64(whole), nanosecond: Int64(((seconds - whole) * 1e9).rounded()))
    }

    /// Seconds with a fraction, as the AWS JSON protocols write timestamps.
    public init(secondsSince1970: Double) {
        // Whole seconds and the fraction apart: at today's magnitudes a Double holds seconds to
        // about 0.2 µs, and multiplying first would carry that error into the milliseconds.
        let whole = secondsSince1970.rounded(.down)
        self.init(secondsSince1970: Int64(whole), nanosecond: Int64(((secondsSince1970 - whole) * 1e9).rounded()))
    }

    /// The system's real-time clock.
    public static func now() -> UTCTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTime(secondsSince1970: Int64(spec.tv_sec), nanosecond: Int64(spec.tv_nsec))
    }

    /// Whole seconds, rounded down (towards the past, also before 1970).
    public var wholeSecondsSince1970: Int64 { floorDivide(nanosecondsSince1970, 1_000_000_000) }

    /// Whole milliseconds, rounded down.
    public var millisecondsSince1970: Int64 { floorDivide(nanosecondsSince1970, 1_000_000) }

    public var secondsSince1970: Double { Double(nanosecondsSince1970) / 1e9 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanosecondsSince1970 < rhs.nanosecondsSince1970 }

    public static func + (time: Self, duration: Duration) -> Self {
        let (seconds, attoseconds) = duration.components
        return Self(
            nanosecondsSince1970: time.nanosecondsSince1970 + seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    public static func - (time: Self, duration: Duration) -> Self { time + (.zero - duration) }

    public static func - (lhs: Self, rhs: Self) -> Duration {
        .nanoseconds(lhs.nanosecondsSince1970 - rhs.nanosecondsSince1970)
    }

    /// ISO 8601 with milliseconds: `2026-12-05T03:36:06.123Z`.
    public var description: String { iso8601(fractionalDigits: 3) }
}

// MARK: - The civil calendar

extension UTCTime {
    /// A UTC date and time of day in the proleptic Gregorian calendar.
    public struct Components: Sendable, Hashable {
        public var year: Int
        /// 1 to 12.
        public var month: Int
        /// 1 to 31.
        public var day: Int
        public var hour: Int
        public var minute: Int
        /// 0 to 60: a leap second is accepted and counted as the next minute's first second.
        public var second: Int
        public var nanosecond: Int

        public init(
            year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0
        ) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.nanosecond = nanosecond
        }

        /// Whether every field is in its range, the day in its month's.
        public var isValid: Bool {
            (1...12).contains(month) && day >= 1 && day <= Calendar.daysIn(month: month, year: year)
                && (0..<24).contains(hour) && (0..<60).contains(minute) && (0...60).contains(second)
                && (0..<1_000_000_000).contains(nanosecond)
        }
    }

    /// `nil` when a field is out of range (February 30th, hour 24), or the instant is outside
    /// the years 1678 to 2262.
    public init?(_ components: Components, offsetSeconds: Int = 0) {
        guard components.isValid else { return nil }
        let days = Calendar.daysSince1970(year: components.year, month: components.month, day: components.day)
        let seconds =
            Int64(days) * 86_400
            + Int64(components.hour * 3600 + components.minute * 60 + components.second - offsetSeconds)
        // A four-digit year reaches beyond the range: 0001 and 9999 are nil, not a trap.
        self.init(exactlySecondsSince1970: seconds, nanosecond: Int64(components.nanosecond))
    }

    public var components: Components {
        let seconds = wholeSecondsSince1970
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Calendar.civil(daysSince1970: Int(days))
        return Components(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, nanosecond: Int(nanosecondsSince1970 - seconds * 1_000_000_000))
    }

    /// 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them.
    public var isoWeekday: Int {
        let days = Int(floorDivide(wholeSecondsSince1970, 86_400))
        // 1970-01-01 was a Thursday (4).
        return ((days % 7 + 7) % 7 + 3) % 7 + 1
    }
}

/// Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar in
/// a handful of integer operations, where a calendar library would load locale data.
enum Calendar {
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : (a - b + 1) / b
}
