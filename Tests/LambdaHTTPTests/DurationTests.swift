import LambdaHTTP
import Testing

/// curl's timeouts, the Runtime API's deadlines and the test context's all count whole
/// milliseconds: a fraction rounds up, so a 0.5 ms timeout is not 0 (curl's "no timeout") and
/// a deadline never falls before its timeout has passed.
@Suite struct DurationMillisecondsTests {
    @Test(arguments: [
        (Duration.zero, 0), (.milliseconds(1), 1), (.microseconds(500), 1), (.microseconds(1_001), 2),
        (.seconds(3), 3_000), (.seconds(900), 900_000), (.nanoseconds(1), 1),
    ])
    func wholeMillisecondsRoundedUp(duration: Duration, milliseconds: Int) {
        #expect(duration.milliseconds == milliseconds)
    }
}
