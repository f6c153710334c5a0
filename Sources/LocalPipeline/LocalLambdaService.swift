import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaHTTP
import LambdaRuntime
import LoopbackHTTP
import Synchronization
import TextEncodings

/// The Lambda service's Invoke API on loopback, as the Runtime Interface Emulator and `sam
/// local start-lambda` serve it, so that the AWS CLI and SDKs invoke local functions with
/// `--endpoint-url`:
///
/// - `POST /2015-03-31/functions/{name}/invocations` (Invoke): `X-Amz-Invocation-Type`
///   `RequestResponse` (200), `Event` (202, run in the background and retried twice on
///   failure, as Lambda's asynchronous invocation does) or `DryRun` (204); `X-Amz-Log-Type:
///   Tail`; a function error is 200 with `X-Amz-Function-Error: Unhandled`;
/// - `POST /2021-11-15/functions/{name}/response-streaming-invocations`
///   (InvokeWithResponseStream): event-stream framed `PayloadChunk` events as the function
///   writes, then `InvokeComplete`.
///
/// Errors are AWS's REST-JSON errors: the `x-amzn-ErrorType` header and `{"Type", "Message"}`.
public final class LocalLambdaService: Sendable {
    /// One function the service invokes.
    public struct Function: Sendable {
        public var name: String
        public var pool: LambdaPool
        /// The output of each of the pool's processes, for `X-Amz-Log-Type: Tail`.
        public var logs: FunctionLogs

        public init(name: String, pool: LambdaPool, logs: FunctionLogs) {
            self.name = name
            self.pool = pool
            self.logs = logs
        }
    }

    /// One invocation as it went through, for the one-line log.
    public struct InvocationRecord: Sendable {
        public var function: String
        public var invocationType: String
        public var status: Int
        public var report: InvocationReport?
        /// For an asynchronous invocation: which attempt this was, of `maximumAttempts`.
        public var attempt: Int
        public var maximumAttempts = 1
    }

    /// Lambda's payload limits: 6 MB for a synchronous request, 1 MB for an asynchronous one.
    public static let synchronousPayloadLimit = 6 * 1024 * 1024
    public static let asynchronousPayloadLimit = 1024 * 1024

    public let functions: [String: Function]
    public let region: String
    public let accountID: String
    private let server: LoopbackHTTPServer
    private let asyncRetryDelays: [Duration]
    private let onInvocation: @Sendable (InvocationRecord) -> Void

    public init(
        functions: [Function], host: String = "127.0.0.1", port: Int = 0, region: String = "us-east-1",
        accountID: String = "123456789012", asyncRetryDelays: [Duration] = [.seconds(1), .seconds(2)],
        onInvocation: @escaping @Sendable (InvocationRecord) -> Void = { _ in }
    ) throws {
        let byName = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.functions = byName
        self.region = region
        self.accountID = accountID
        self.asyncRetryDelays = asyncRetryDelays
        self.onInvocation = onInvocation
        let routes = Routes(
            functions: byName, region: region, accountID: accountID, asyncRetryDelays: asyncRetryDelays,
            onInvocation: onInvocation)
        // Room past the synchronous limit, so that a payload over it gets Lambda's own error
        // rather than the server's.
        server = try LoopbackHTTPServer(host: host, port: port, maximumBodySize: 4 * Self.synchronousPayloadLimit) {
            routes.reply(to: $0)
        }
    }

    /// `http://host:port`, the `--endpoint-url` for the AWS CLI and SDKs.
    public var url: String { "http://\(server.authority)" }
    public var port: Int { server.port }

    public func stop() { server.stop() }
}

/// The service's request handling, apart from its socket so that it is a plain value.
private struct Routes: Sendable {
    let functions: [String: LocalLambdaService.Function]
    let region: String
    let accountID: String
    let asyncRetryDelays: [Duration]
    let onInvocation: @Sendable (LocalLambdaService.InvocationRecord) -> Void

    enum Operation { case invoke, invokeWithResponseStream }

    func reply(to request: HTTPServerRequest) -> HTTPServerReply {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false)
        let operation: Operation
        switch (request.method, segments.count >= 5 ? Array(segments[1...4].map(String.init)) : []) {
        case ("POST", let parts)
        where parts.count == 4 && parts[0] == "2015-03-31" && parts[1] == "functions"
            && parts[3] == "invocations" && segments.count == 5:
            operation = .invoke
        case ("POST", let parts)
        where parts.count == 4 && parts[0] == "2021-11-15" && parts[1] == "functions"
            && parts[3] == "response-streaming-invocations" && segments.count == 5:
            operation = .invokeWithResponseStream
        default:
            return error(
                404, "UnknownOperationException",
                "\(request.method) \(request.path) is not an operation of this endpoint (Invoke and InvokeWithResponseStream are)"
            )
        }
        let requested = PercentEncoding.decode(segments[3])
        let qualifier = request.query.flatMap { query in
            QueryString.pairs(query).first { $0.name == "Qualifier" }?.value
        }
        guard let function = resolve(requested, qualifier: qualifier) else {
            return error(
                404, "ResourceNotFoundException", "Function not found: \(arn(requested, qualifier: qualifier))")
        }
        let invocationType = request.headers["X-Amz-Invocation-Type"] ?? "RequestResponse"
        let allowed = operation == .invoke ? ["RequestResponse", "Event", "DryRun"] : ["RequestResponse", "DryRun"]
        guard allowed.contains(invocationType) else {
            return error(
                400, "InvalidParameterValueException",
                "1 validation error detected: Value '\(invocationType)' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]"
            )
        }
        let limit =
            invocationType == "Event"
            ? LocalLambdaService.asynchronousPayloadLimit : LocalLambdaService.synchronousPayloadLimit
        guard request.body.count <= limit else {
            return error(
                413, "RequestTooLargeException",
                "Request must be smaller than \(limit) bytes for the \(operation == .invoke ? "InvokeFunction" : "InvokeWithResponseStream") operation",
                messageKey: "message")
        }
        // Lambda accepts only JSON; no payload is an empty object.
        let payload = request.body.isEmpty ? Array("{}".utf8) : request.body
        if (try? JSONSerialization.jsonObject(with: Data(payload), options: .fragmentsAllowed)) == nil {
            return error(
                400, "InvalidRequestContentException", "Could not parse request body into json: the payload is not JSON"
            )
        }
        var clientContext: String?
        if let encoded = request.headers["X-Amz-Client-Context"] {
            guard let decoded = Base64.decode(encoded) else {
                return error(
                    400, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")
            }
            clientContext = String(decoding: decoded, as: UTF8.self)
        }
        let invocation = Invocation(
            function: function, payload: payload, requestID: randomUUIDString().lowercased(),
            clientContext: clientContext, tenantID: request.headers["X-Amz-Tenant-Id"],
            traceID: request.headers["X-Amzn-Trace-Id"], tailsLog: request.headers["X-Amz-Log-Type"] == "Tail")

        switch (operation, invocationType) {
        case (_, "DryRun"):
            onInvocation(.init(function: function.name, invocationType: "DryRun", status: 204, report: nil, attempt: 1))
            return .response(HTTPResponse(status: 204, headers: ["x-amzn-RequestId": invocation.requestID], body: []))
        case (.invoke, "Event"):
            let delays = asyncRetryDelays
            let onInvocation = onInvocation
            let thread = Thread {
                Self.invokeAsynchronously(invocation, retryDelays: delays, onInvocation: onInvocation)
            }
            thread.name = "async-invoke-\(function.name)"
            thread.start()
            return .response(HTTPResponse(status: 202, headers: ["x-amzn-RequestId": invocation.requestID], body: []))
        case (.invoke, _):
            let (report, logResult) = invocation.run(onChunk: nil)
            onInvocation(
                .init(function: function.name, invocationType: invocationType, status: 200, report: report, attempt: 1))
            var headers: HTTPHeaders = [
                "Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-RequestId": invocation.requestID,
            ]
            if !report.isSuccess { headers.add("X-Amz-Function-Error", "Unhandled") }
            if let logResult { headers.add("X-Amz-Log-Result", logResult) }
            return .response(HTTPResponse(status: 200, headers: headers, body: report.payload))
        case (.invokeWithResponseStream, _):
            let onInvocation = onInvocation
            return .stream(
                status: 200,
                headers: [
                    "Content-Type": "application/vnd.amazon.eventstream", "X-Amz-Executed-Version": "$LATEST",
                    "x-amzn-RequestId": invocation.requestID,
                ]
            ) { writer in
                let streamed = Mutex(false)
                let (report, logResult) = invocation.run { chunk in
                    streamed.withLock { $0 = true }
                    writer.write(
                        EventStreamMessage.event(
                            "PayloadChunk", contentType: "application/octet-stream", payload: chunk
                        )
                        .encoded)
                }
                // A function that does not stream answers in one piece, as Lambda sends it.
                if report.isSuccess, !streamed.withLock({ $0 }) {
                    writer.write(
                        EventStreamMessage.event(
                            "PayloadChunk", contentType: "application/octet-stream", payload: report.payload
                        ).encoded)
                }
                var complete: [String: String] = [:]
                if !report.isSuccess {
                    let error = try? JSONDecoder().decode(InvocationError.self, from: Data(report.payload))
                    complete["ErrorCode"] = error?.errorType ?? "Unhandled"
                    complete["ErrorDetails"] = error?.errorMessage ?? String(decoding: report.payload, as: UTF8.self)
                }
                if let logResult { complete["LogResult"] = logResult }
                let body = (try? JSONEncoder().encode(complete)).map(Array.init) ?? Array("{}".utf8)
                writer.write(
                    EventStreamMessage.event("InvokeComplete", contentType: "application/json", payload: body).encoded)
                onInvocation(
                    .init(
                        function: invocation.function.name, invocationType: "ResponseStream", status: 200,
                        report: report, attempt: 1))
            }
        }
    }

    /// Lambda runs an asynchronous event and, when it fails, twice more after a delay; with no
    /// destination or DLQ configured, an event that fails all three is discarded, which the
    /// record's `attempt` of 3 and its failure say.
    static func invokeAsynchronously(
        _ invocation: Invocation, retryDelays: [Duration],
        onInvocation: @Sendable (LocalLambdaService.InvocationRecord) -> Void
    ) {
        for attempt in 1...(retryDelays.count + 1) {
            let (report, _) = invocation.run(onChunk: nil)
            onInvocation(
                .init(
                    function: invocation.function.name, invocationType: "Event", status: 202, report: report,
                    attempt: attempt, maximumAttempts: retryDelays.count + 1))
            if report.isSuccess || attempt > retryDelays.count { return }
            Thread.sleep(forTimeInterval: Double(retryDelays[attempt - 1] / .milliseconds(1)) / 1000)
        }
    }

    /// The function a name, partial ARN or ARN names, with no qualifier or `$LATEST`.
    func resolve(_ requested: String, qualifier: String?) -> LocalLambdaService.Function? {
        var name = Substring(requested)
        if let range = name.range(of: "function:") {
            let prefix = name[..<range.lowerBound]
            // arn:aws:lambda:REGION:ACCOUNT:function:NAME or ACCOUNT:function:NAME
            let fields = prefix.split(separator: ":", omittingEmptySubsequences: false).dropLast()
            guard fields.last.map(String.init) == accountID else { return nil }
            if fields.count > 1 {
                guard fields.count == 5, fields[0] == "arn", fields[2] == "lambda", String(fields[3]) == region else {
                    return nil
                }
            }
            name = name[range.upperBound...]
        }
        var qualifiers = qualifier.map { [$0] } ?? []
        if let colon = name.firstIndex(of: ":") {
            qualifiers.append(String(name[name.index(after: colon)...]))
            name = name[..<colon]
        }
        guard qualifiers.allSatisfy({ $0 == "$LATEST" }) else { return nil }
        return functions[String(name)]
    }

    func arn(_ requested: String, qualifier: String?) -> String {
        let base =
            requested.hasPrefix("arn:")
            ? requested
            : requested.contains("function:")
                ? "arn:aws:lambda:\(region):\(requested)"
                : "arn:aws:lambda:\(region):\(accountID):function:\(requested)"
        return qualifier.map { "\(base):\($0)" } ?? base
    }

    func error(_ status: Int, _ type: String, _ message: String, messageKey: String = "Message") -> HTTPServerReply {
        let body = (try? JSONEncoder().encode(["Type": "User", messageKey: message])).map(Array.init) ?? []
        return .response(
            HTTPResponse(
                status: status,
                headers: [
                    "Content-Type": "application/json", "x-amzn-ErrorType": type,
                    "x-amzn-RequestId": randomUUIDString().lowercased(),
                ],
                body: body))
    }
}

/// One invocation as the caller asked for it.
private struct Invocation: Sendable {
    let function: LocalLambdaService.Function
    let payload: [UInt8]
    let requestID: String
    let clientContext: String?
    let tenantID: String?
    let traceID: String?
    let tailsLog: Bool

    /// Runs on a process of the function's pool; with `tailsLog`, also the base64 of the last
    /// 4 KB of its log, framed by Lambda's START/END/REPORT lines.
    func run(onChunk: (@Sendable ([UInt8]) -> Void)?) -> (InvocationReport, String?) {
        let function = function
        do {
            return try function.pool.withLambda { lambda in
                let processLog = function.logs.log(of: lambda)
                let mark = processLog?.mark ?? 0
                let report = lambda.invoke(
                    payload, requestID: requestID, clientContext: clientContext, tenantID: tenantID, traceID: traceID,
                    onChunk: onChunk)
                guard tailsLog else { return (report, nil) }
                lambda.flushOutput()
                var log = Array("START RequestId: \(requestID) Version: $LATEST\n".utf8)
                log += processLog?.written(since: mark) ?? []
                log += Array("END RequestId: \(requestID)\n\(report.reportLine)\n".utf8)
                return (report, Base64.encode(log.suffix(4096)))
            }
        } catch {
            return (.notStarted(requestID: requestID, reason: "\(error)", memorySize: 0), nil)
        }
    }
}
