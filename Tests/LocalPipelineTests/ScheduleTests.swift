import Testing
import UTCTime

@testable import LocalPipeline

@Suite struct ScheduleTests {
    static func time(_ text: String) -> UTCTime { UTCTime(iso8601: text)! }

    @Test func ratesCountFromTheRulesCreation() throws {
        let schedule = try Schedule(parsing: "rate(5 minutes)")
        #expect(schedule == .rate(.seconds(300)))
        let start = Self.time("2026-12-05T12:00:10Z")
        #expect(schedule.next(after: start, start: start) == Self.time("2026-12-05T12:05:10Z"))
        #expect(
            schedule.next(after: Self.time("2026-12-05T12:05:10Z"), start: start) == Self.time("2026-12-05T12:10:10Z"))
        #expect(try Schedule(parsing: "rate(1 minute)") == .rate(.seconds(60)))
        #expect(try Schedule(parsing: "rate(2 days)") == .rate(.seconds(172_800)))
    }

    @Test(arguments: [
        ("cron(0 12 * * ? *)", "2026-12-05T12:00:00Z", "2026-12-06T12:00:00Z"),
        ("cron(15 10 ? * MON-FRI *)", "2026-12-05T09:00:00Z", "2026-12-07T10:15:00Z"),  // a Saturday
        ("cron(0/15 * * * ? *)", "2026-12-05T12:07:00Z", "2026-12-05T12:15:00Z"),
        ("cron(0 8 1 * ? *)", "2026-12-05T00:00:00Z", "2027-01-01T08:00:00Z"),
        ("cron(30 23 29 FEB ? *)", "2026-03-01T00:00:00Z", "2028-02-29T23:30:00Z"),
        ("cron(0 0 ? JAN,JUL SUN 2027)", "2026-12-05T00:00:00Z", "2027-01-03T00:00:00Z"),
        ("cron(5,35 14 * * ? *)", "2026-12-05T14:05:00Z", "2026-12-05T14:35:00Z"),
    ])
    func cronFiresAtItsNextMinute(expression: String, after: String, expected: String) throws {
        let schedule = try Schedule(parsing: expression)
        #expect(schedule.next(after: Self.time(after), start: Self.time(after)) == Self.time(expected))
    }

    @Test func aCronThatNeverFiresAgainIsNil() throws {
        let schedule = try Schedule(parsing: "cron(0 0 1 JAN ? 2020)")
        #expect(
            schedule.next(after: Self.time("2026-12-05T00:00:00Z"), start: Self.time("2026-12-05T00:00:00Z")) == nil)
    }

    @Test(arguments: [
        "rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "rate(5 weeks)", "every 5 minutes",
        "cron(0 12 * * *)", "cron(0 12 * * * *)", "cron(0 25 * * ? *)", "cron(0 12 L * ? *)",
        "cron(0 12 ? * 6#3 *)", "cron(0 12 15W * ? *)", "cron(10-5 * * * ? *)",
    ])
    func badExpressionsAreRefusedWithTheirReason(expression: String) {
        #expect(throws: Schedule.ParseError.self) { try Schedule(parsing: expression) }
    }
}
