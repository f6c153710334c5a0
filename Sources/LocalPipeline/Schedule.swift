import Foundation
import UTCTime

/// An EventBridge schedule expression, as a rule's `ScheduleExpression` writes it, and when it
/// fires: `rate(5 minutes)`, or `cron(Minutes Hours Day-of-month Month Day-of-week Year)` in
/// UTC. Cron fields take `*`, `?`, lists, ranges, steps and month and day names; `L`, `W` and
/// `#` (last day, weekday, nth weekday) are refused with their name rather than run wrongly.
public enum Schedule: Sendable, Equatable {
    case rate(Duration)
    case cron(CronFields)

    public struct CronFields: Sendable, Equatable {
        public var minutes: Set<Int>
        public var hours: Set<Int>
        /// Nil: `?` or `*` (any day, as far as this field goes).
        public var daysOfMonth: Set<Int>?
        public var months: Set<Int>
        /// 1 (SUN) to 7 (SAT), as EventBridge numbers them; nil: `?` or `*`.
        public var daysOfWeek: Set<Int>?
        public var years: Set<Int>?
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var expression: String
        public var reason: String
        public var description: String { "schedule expression '\(expression)': \(reason)" }
    }

    public init(parsing expression: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(expression: expression, reason: reason) }
        let text = expression.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("rate("), text.hasSuffix(")") {
            let parts = text.dropFirst(5).dropLast().split(separator: " ")
            guard parts.count == 2, let value = Int(parts[0]), value > 0 else {
                throw fail("rate takes a positive whole number and a unit, e.g. rate(5 minutes)")
            }
            let seconds: Int
            switch parts[1] {
            case "minute", "minutes": seconds = 60
            case "hour", "hours": seconds = 3600
            case "day", "days": seconds = 86_400
            default: throw fail("the unit is minute(s), hour(s) or day(s), not '\(parts[1])'")
            }
            // EventBridge refuses rate(1 minutes) and rate(5 minute).
            guard (value == 1) == !parts[1].hasSuffix("s") else {
                throw fail("the unit is singular for 1 and plural otherwise, e.g. rate(1 minute), rate(5 minutes)")
            }
            self = .rate(.seconds(value * seconds))
            return
        }
        guard text.hasPrefix("cron("), text.hasSuffix(")") else { throw fail("not rate(...) or cron(...)") }
        let fields = text.dropFirst(5).dropLast().split(separator: " ").map(String.init)
        guard fields.count == 6 else {
            throw fail("cron takes six fields: minutes hours day-of-month month day-of-week year")
        }
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        func values(
            _ field: String, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], anyIsNil: Bool = false
        )
            throws(ParseError) -> Set<Int>?
        {
            if field == "?" || (field == "*" && anyIsNil) { return nil }
            // L, W and # (JUL and WED aside) are EventBridge's, and not run here.
            let tokens = field.uppercased().split(whereSeparator: { ",/-".contains($0) })
            for token in tokens where !names.contains(String(token)) {
                if let feature = ["L", "W", "#"].first(where: { token.contains($0) }) {
                    throw fail("\(name): '\(feature)' is not run locally")
                }
            }
            func number(_ text: Substring) throws(ParseError) -> Int {
                if let index = names.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
                guard let value = Int(text), range.contains(value) else {
                    throw fail("\(name): '\(text)' is not in \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            var result: Set<Int> = []
            for item in field.split(separator: ",") {
                let stepParts = item.split(separator: "/", maxSplits: 1)
                let step = try stepParts.count == 2 ? number(stepParts[1]) : 1
                guard step > 0 else { throw fail("\(name): a step of 0") }
                let bounds: ClosedRange<Int>
                if stepParts[0] == "*" {
                    bounds = range
                } else {
                    let ends = stepParts[0].split(separator: "-", maxSplits: 1)
                    let low = try number(ends[0])
                    let high = try ends.count == 2 ? number(ends[1]) : (stepParts.count == 2 ? range.upperBound : low)
                    guard low <= high else { throw fail("\(name): the range \(stepParts[0]) runs backwards") }
                    bounds = low...high
                }
                result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
            }
            return result
        }
        let cron = CronFields(
            minutes: try values(fields[0], "minutes", 0...59) ?? Set(0...59),
            hours: try values(fields[1], "hours", 0...23) ?? Set(0...23),
            daysOfMonth: try values(fields[2], "day-of-month", 1...31, anyIsNil: true),
            months: try values(fields[3], "month", 1...12, names: months) ?? Set(1...12),
            daysOfWeek: try values(fields[4], "day-of-week", 1...7, names: days, anyIsNil: true),
            years: try values(fields[5], "year", 1970...2199, anyIsNil: true))
        // EventBridge's rule: one of the two day fields must be '?'.
        guard fields[2] == "?" || fields[4] == "?" else {
            throw fail("one of day-of-month and day-of-week must be '?'")
        }
        self = .cron(cron)
    }

    /// The first time it fires strictly after `time`; a rate counts from `start` (when the
    /// rule was created, as in EventBridge). Nil when a cron never fires again.
    public func next(after time: UTCTime, start: UTCTime) -> UTCTime? {
        switch self {
        case .rate(let period):
            let periodSeconds = period.components.seconds
            let elapsed = time.wholeSecondsSince1970 - start.wholeSecondsSince1970
            let periods = elapsed < 0 ? 0 : elapsed / periodSeconds + 1
            return UTCTime(secondsSince1970: start.wholeSecondsSince1970 + periods * periodSeconds)
        case .cron(let cron):
            // Minute by minute would do, but day by day first keeps a yearly schedule cheap.
            var minute = UTCTime(secondsSince1970: (time.wholeSecondsSince1970 / 60 + 1) * 60)
            let limit = time.wholeSecondsSince1970 + 5 * 366 * 86_400
            while minute.wholeSecondsSince1970 < limit {
                let c = minute.components
                let dayMatches =
                    (cron.years?.contains(c.year) ?? true) && cron.months.contains(c.month)
                    && (cron.daysOfMonth?.contains(c.day) ?? true)
                    && (cron.daysOfWeek?.contains(Self.dayOfWeek(minute)) ?? true)
                if !dayMatches {
                    let dayStart = minute.wholeSecondsSince1970 / 86_400 * 86_400
                    minute = UTCTime(secondsSince1970: dayStart + 86_400)
                    continue
                }
                if cron.hours.contains(c.hour), cron.minutes.contains(c.minute) { return minute }
                minute = minute + .seconds(60)
            }
            return nil
        }
    }

    /// 1 (Sunday) to 7 (Saturday). 1970-01-01 was a Thursday (5).
    static func dayOfWeek(_ time: UTCTime) -> Int {
        let days =
            time.wholeSecondsSince1970 >= 0
            ? time.wholeSecondsSince1970 / 86_400 : (time.wholeSecondsSince1970 - 86_399) / 86_400
        return Int(((days + 4) % 7 + 7) % 7) + 1
    }
}
