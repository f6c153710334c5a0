import Foundation
import JSONCoding
import LambdaRuntime

/// The runtime's own cost per invocation, apart from the Runtime API's HTTP: `RuntimeLoop`
/// serving events from memory, with the echo handler (JSON decoded and encoded, as echo does)
/// and with a raw handler that hands the bytes back. What is left of a bootstrap's CPU per
/// invocation beyond these and the C loop's is the HTTP client's own work around curl.
enum InProcessBenchmark {
    /// Answers every `/next` at once with the same event, and takes every response.
    final class MemoryAPI: RuntimeAPI, @unchecked Sendable {
        let event: [UInt8]
        var served = 0

        init(event: [UInt8]) { self.event = event }

        func next() throws(RuntimeAPIError) -> Invocation {
            served += 1
            return Invocation(
                requestID: "6f6d3c1e-4c1b-4b7e-9a5e-\(String(100_000_000_000 + served))",
                deadlineMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 3000,
                invokedFunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:echo",
                traceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", event: event)
        }

        func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
            precondition(body.count == event.count, "echo changed the event's size")
        }

        func reportError(requestID: String, _ error: InvocationError) throws(RuntimeAPIError) {
            fatalError("the echo failed: \(error)")
        }

        func reportInitError(_ error: InvocationError) throws(RuntimeAPIError) {}
    }

    struct Echo: LambdaHandler {
        func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue { event }
    }

    static func run(event: [UInt8], invocations: Int, rounds: Int) async {
        let environment = ["AWS_LAMBDA_FUNCTION_NAME": "echo", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"]
        let logHandler = LambdaLogHandler(environment: environment, sink: LogSink { _ in })
        func perInvocation(_ handler: some InvocationHandler) async -> Duration {
            let loop = RuntimeLoop(api: MemoryAPI(event: event), environment: environment, logHandler: logHandler)
            for _ in 0..<min(1000, invocations) { try? await loop.serveOne(handler) }
            let clock = ContinuousClock()
            let began = clock.now
            for _ in 0..<invocations { try? await loop.serveOne(handler) }
            return began.duration(to: clock.now) / invocations
        }
        print("in process, \(invocations) invocations of the \(event.count)-byte event, \(rounds) rounds:")
        var json: [Double] = []
        var raw: [Double] = []
        for _ in 0..<rounds {
            json.append(await perInvocation(BufferedInvocation(JSONCodingHandler(Echo()))) / .nanoseconds(1))
            raw.append(
                await perInvocation(BufferedInvocation(RawClosureHandler { event, _ in event })) / .nanoseconds(1))
        }
        print(
            String(
                format: "- RuntimeLoop with the JSON echo handler: %.2f µs per invocation (median)", median(json) / 1000
            ))
        print(
            String(
                format: "- RuntimeLoop with a raw bytes handler: %.2f µs per invocation (median)", median(raw) / 1000))
    }
}
