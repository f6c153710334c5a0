// faulty: returns its event unless the event asks it to misbehave. The subject of the runtime's
// tests and benchmarks (functions/echo is the clean example to copy):
//
//   {"faulty": {"throw": "message"}}        throws an error with that message
//   {"faulty": {"sleepMs": 1500}}           sleeps before answering
//   {"faulty": {"responseBytes": 7000000}}  answers a JSON string of about that many bytes
//   {"faulty": {"crash": 3}}                exits with status 3 mid-invocation ("abort" for a signal)
//   {"faulty": {"log": "message"}}          logs the message at INFO before answering
//   {"faulty": {"context": true}}           answers with what the runtime put in its context
//                                           (and when the handler started and answered)
//   {"faulty": {"fetch": "https://..."}}    GETs the URL and answers {"status": N}; proves a packaged
//                                         bootstrap's TLS finds the CA bundle of the OS it runs on
//
// FAULTY_FAIL_INIT=message in the environment makes the init phase fail.

import LambdaEvents
import LambdaHTTP
import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

struct Failure: Error, CustomStringConvertible {
    var description: String
}

struct InitFailure: Error, CustomStringConvertible {
    var description: String
}

struct Faulty: LambdaHandler {
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        guard let instructions = event["faulty"] else { return event }
        let started = Self.monotonicNanoseconds()
        if let message = instructions["log"]?.stringValue {
            context.logger.info("\(message)")
        }
        if let milliseconds = instructions["sleepMs"]?.integerValue {
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
        if let crash = instructions["crash"] {
            if crash.stringValue == "abort" { abort() }
            exit(Int32(crash.integerValue ?? 1))
        }
        if instructions["context"]?.boolValue == true {
            return .object([
                "requestId": .string(context.requestID),
                "deadlineMs": .integer(context.deadlineMilliseconds),
                "remainingMs": .integer(Int64(context.remainingTime / .milliseconds(1))),
                "invokedFunctionArn": .string(context.invokedFunctionARN),
                "traceId": context.traceID.map(JSONValue.string) ?? .null,
                "traceIdEnvironment": getenv("_X_AMZN_TRACE_ID").map { .string(String(cString: $0)) } ?? .null,
                "clientContext": context.clientContext.map(JSONValue.string) ?? .null,
                "cognitoIdentity": context.cognitoIdentity.map(JSONValue.string) ?? .null,
                "tenantId": context.tenantID.map(JSONValue.string) ?? .null,
                "functionName": .string(context.function.name),
                "functionVersion": .string(context.function.version),
                "memoryLimitInMB": .integer(Int64(context.function.memoryLimitInMB)),
                "logGroupName": .string(context.function.logGroupName),
                "logStreamName": .string(context.function.logStreamName),
                // When the handler ran, on the process's monotonic clock: proves overlap
                // between concurrent invocations without timing the test.
                "startedNs": .integer(started),
                "answeredNs": .integer(Self.monotonicNanoseconds()),
            ])
        }
        if let url = instructions["fetch"]?.stringValue {
            let response = try HTTPClient().execute(HTTPRequest(method: "GET", url: url, timeout: .seconds(5)))
            return .object(["status": .integer(Int64(response.status))])
        }
        if let message = instructions["throw"]?.stringValue {
            throw Failure(description: message)
        }
        if let size = instructions["responseBytes"]?.integerValue {
            return .string(String(repeating: "x", count: Int(size)))
        }
        return event
    }
}

await Lambda.run { context in
    if let message = context.environment["FAULTY_FAIL_INIT"] {
        throw InitFailure(description: message)
    }
    return Faulty()
}
