import Testing
import UTCTime

@Suite struct UTCTimeTests {
    @Test func civilCalendarRoundTripsEveryDayOfFourCenturies() {
        // 1800-01-01 to 2199-12-31: leap years, century rules and 2000 included.
        var mismatches: [String] = []
        for days in stride(from: -62_091, through: 84_005, by: 1) {
            let time = UTCTime(secondsSince1970: Int64(days) * 86_400)
            let c = time.components
            if UTCTime(UTCTime.Components(year: c.year, month: c.month, day: c.day)) != time {
                mismatches.append("\(days)")
            }
        }
        #expect(mismatches.isEmpty)
    }

    /// Found by CloudEventsFuzz: "1485-01-01T00:00:00Z" overflowed the nanosecond count and
    /// trapped. Read from outside, an instant beyond the range is nil.
    @Test func instantsBeyondTheRangeAreNilNotATrap() {
        #expect(UTCTime(iso8601: "1485-01-01T00:00:00Z") == nil)
        #expect(UTCTime(iso8601: "9999-12-31T23:59:59Z") == nil)
        #expect(UTCTime(iso8601: "0001-01-01T00:00:00Z") == nil)
        #expect(UTCTime(amzDate: "99991231T235959Z") == nil)
        #expect(UTCTime(iso8601: "2262-04-11T23:47:16Z") != nil)
        #expect(UTCTime(exactlyMillisecondsSince1970: 99_999_999_999_999_999) == nil)
        #expect(UTCTime(exactlySecondsSince1970: Int64.max) == nil)
        #expect(UTCTime(exactlySecondsSince1970: Double.infinity) == nil)
        #expect(UTCTime(exactlySecondsSince1970: 1e12) == nil)
        #expect(UTCTime(exactlySecondsSince1970: 1_440_938_160.5) == UTCTime(millisecondsSince1970: 1_440_938_160_500))
    }

    @Test func knownInstantsInEveryForm() {
        let time = UTCTime(secondsSince1970: 1_440_938_160)
        #expect(time.amzDate == "20150830T123600Z")
        #expect(time.dateStamp == "20150830")
        #expect(time.iso8601() == "2015-08-30T12:36:00Z")
        #expect(
            UTCTime(millisecondsSince1970: 1_440_938_160_123).iso8601(fractionalDigits: 3) == "2015-08-30T12:36:00.123Z"
        )
        #expect(time.commonLogFormat == "30/Aug/2015:12:36:00 +0000")
        #expect(time.httpDate == "Sun, 30 Aug 2015 12:36:00 GMT")
        #expect(UTCTime(secondsSince1970: 951_782_400).iso8601() == "2000-02-29T00:00:00Z")
        #expect(UTCTime(secondsSince1970: -1).iso8601() == "1969-12-31T23:59:59Z")
        #expect(UTCTime(millisecondsSince1970: -1).iso8601(fractionalDigits: 3) == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesWhatItWritesAndWhatAWSSends() {
        #expect(UTCTime(amzDate: "20150830T123600Z") == UTCTime(secondsSince1970: 1_440_938_160))
        #expect(UTCTime(amzDate: "2015-08-30T12:36:00Z") == nil)
        #expect(UTCTime(iso8601: "2015-08-30T12:36:00Z") == UTCTime(secondsSince1970: 1_440_938_160))
        #expect(UTCTime(iso8601: "2015-08-30T14:36:00+02:00") == UTCTime(secondsSince1970: 1_440_938_160))
        #expect(UTCTime(iso8601: "2015-08-30T12:36:00.5Z")?.millisecondsSince1970 == 1_440_938_160_500)
        #expect(UTCTime(iso8601: "2019-03-19T15:29:52.123456789Z")?.components.nanosecond == 123_456_789)
        #expect(UTCTime(iso8601: "2015-02-29T00:00:00Z") == nil)
        #expect(UTCTime(iso8601: "2015-08-30T24:00:00Z") == nil)
        #expect(UTCTime(iso8601: "2015-08-30T12:36:00.Z") == nil)
        #expect(UTCTime(commonLogFormat: "30/Aug/2015:12:36:00 +0000") == UTCTime(secondsSince1970: 1_440_938_160))
        #expect(UTCTime(commonLogFormat: "30/Aug/2015:12:36:00+0000") == UTCTime(secondsSince1970: 1_440_938_160))
        #expect(UTCTime(commonLogFormat: "30/Foo/2015:12:36:00 +0000") == nil)
        #expect(UTCTime(httpDate: "Sun, 30 Aug 2015 12:36:00 GMT") == UTCTime(secondsSince1970: 1_440_938_160))
    }

    @Test func arithmeticWithDurations() {
        let time = UTCTime(secondsSince1970: 100)
        #expect((time + .milliseconds(1500)).millisecondsSince1970 == 101_500)
        #expect((time - .seconds(200)).wholeSecondsSince1970 == -100)
        #expect(UTCTime(secondsSince1970: 103) - time == .seconds(3))
        #expect(UTCTime.now() > UTCTime(secondsSince1970: 1_700_000_000))
    }
}
