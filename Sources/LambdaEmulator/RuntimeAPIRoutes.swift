import Foundation
import LambdaEvents
import LambdaHTTP
import LambdaRuntime
import LoopbackHTTP
import TextEncodings
import UTCTime

#if canImport(Glibc)
    import Glibc
#endif

/// The Runtime API, version 2018-06-01, as Lambda serves it to a bootstrap: `/next` long-polls
/// for the queued event, the reports complete the invocation the emulator waits on.
extension LocalLambda {
    static func serveRuntimeAPI(
        _ request: HTTPServerRequest,
        state: ConditionGuarded<State>,
        timeout: Duration,
        functionARN: String
    ) -> HTTPServerReply {
        let prefix = "/2018-06-01/runtime/"
        let path = request.path
        if path.hasPrefix("/2020-01-01/extension/") { return serveExtensionsAPI(request, state: state) }
        guard path.hasPrefix(prefix) else { return apiError(404, "UnknownResource", "no such resource: \(path)") }
        let parts = path.dropFirst(prefix.count).split(separator: "/")

        switch (request.method, parts.count, parts.first, parts.last) {
        case ("GET", 2, "invocation", "next"):
            return next(state: state, connection: request.connectionNumber, timeout: timeout, functionARN: functionARN)
        case ("POST", 3, "invocation", "response")
        where request.headers.contains("Lambda-Runtime-Function-Response-Mode"):
            guard let stream = request.bodyStream,
                request.headers["Lambda-Runtime-Function-Response-Mode"] == "streaming"
            else { return apiError(400, "InvalidFunctionResponseMode", "Invalid function response mode") }
            return receiveStream(String(parts[1]), stream, state: state)
        case ("POST", 3, "invocation", "response"):
            let requestID = String(parts[1])
            guard request.body.count <= LambdaLimits.maximumResponseSize else {
                let message =
                    "Response payload size (\(request.body.count) bytes) exceeded maximum allowed payload size (\(LambdaLimits.maximumResponseSize) bytes)."
                _ = complete(
                    requestID,
                    .error(InvocationError(type: "Function.ResponseSizeTooLarge", message: message), typeHeader: nil),
                    state: state)
                return apiError(413, "RequestEntityTooLarge", message)
            }
            return complete(requestID, .response(request.body), state: state)
        case ("POST", 3, "invocation", "error"):
            let typeHeader = request.headers["Lambda-Runtime-Function-Error-Type"]
            let error = InvocationError(reported: request.body, typeHeader: typeHeader)
            return complete(String(parts[1]), .error(error, typeHeader: typeHeader), state: state)
        case ("POST", 2, "init", "error"):
            let error = InvocationError(
                reported: request.body, typeHeader: request.headers["Lambda-Runtime-Function-Error-Type"])
            state.update { $0.initError = error }
            return accepted()
        default:
            return apiError(404, "UnknownResource", "no such resource: \(request.method) \(path)")
        }
    }

    static func next(state: ConditionGuarded<State>, connection: Int, timeout: Duration, functionARN: String)
        -> HTTPServerReply
    {
        let generation = state.update { state -> Int? in
            // A process stopped while its /next was on the way: read after its successor's start,
            // that /next would count as the successor's, end its init early and could take its
            // event to a connection nobody reads (the event lost to a timeout).
            if connection > 0, connection < state.firstConnection { return nil }
            if state.initDuration == nil, let started = state.startedAt {
                state.initDuration = started.duration(to: .now)
            }
            return state.generation
        }
        guard let generation else { return .dropConnection }
        let pending: Pending? =
            state.wait { state in
                if state.shutDown || state.generation != generation { return .some(nil) }
                guard !state.queue.isEmpty else { return nil }
                let pending = state.queue.removeFirst()
                state.pickedUp[pending.requestID] = .now
                if let observer = pending.onChunk { state.chunkObservers[pending.requestID] = observer }
                return .some(pending)
            } ?? nil
        guard let pending else { return .dropConnection }

        let deadline = UTCTime.now().millisecondsSince1970 + Int64(timeout.milliseconds)
        var headers: HTTPHeaders = [
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": pending.requestID,
            "Lambda-Runtime-Deadline-Ms": String(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": functionARN,
            "Lambda-Runtime-Trace-Id": pending.traceID ?? traceID(),
        ]
        if let tenantID = pending.tenantID { headers.add("Lambda-Runtime-Aws-Tenant-Id", tenantID) }
        if let clientContext = pending.clientContext { headers.add("Lambda-Runtime-Client-Context", clientContext) }
        if let cognitoIdentity = pending.cognitoIdentity {
            headers.add("Lambda-Runtime-Cognito-Identity", cognitoIdentity)
        }
        return .response(HTTPResponse(status: 200, headers: headers, body: pending.event))
    }

    /// A streamed response: each chunk goes to the invocation's observer as it arrives; the
    /// trailers say whether it ended in an error (base64 of the error document).
    static func receiveStream(_ requestID: String, _ stream: RequestBodyStream, state: ConditionGuarded<State>)
        -> HTTPServerReply
    {
        let observer: (@Sendable ([UInt8]) -> Void)?? = state.withLock { state in
            state.pickedUp[requestID] == nil || state.completed[requestID] != nil
                ? .none : .some(state.chunkObservers[requestID])
        }
        guard let observer else {
            return apiError(
                400, "InvalidRequestID", "Invalid request ID: \(requestID) is not an invocation in progress")
        }
        var body: [UInt8] = []
        var firstByte: ContinuousClock.Instant?
        var error: InvocationError?
        do {
            while let chunk = try stream.next() {
                if firstByte == nil { firstByte = .now }
                observer?(chunk)
                body += chunk
            }
            if let type = stream.trailers["Lambda-Runtime-Function-Error-Type"] {
                let document = stream.trailers["Lambda-Runtime-Function-Error-Body"].flatMap { Base64.decode($0) } ?? []
                error = InvocationError(reported: document, typeHeader: type)
            }
        } catch let failure as RequestBodyError where failure.status == 413 {
            error = InvocationError(
                type: "Function.ResponseSizeTooLarge",
                message:
                    "Response payload size exceeded maximum allowed payload size (\(LambdaLimits.maximumStreamedResponseSize) bytes)."
            )
        } catch {
            _ = complete(
                requestID,
                .streamed(
                    body, error: InvocationError(type: "Runtime.TruncatedResponse", message: "\(error)"),
                    firstByte: firstByte), state: state)
            return .dropConnection
        }
        state.update { _ = $0.chunkObservers.removeValue(forKey: requestID) }
        return complete(requestID, .streamed(body, error: error, firstByte: firstByte), state: state)
    }

    /// The Extensions API, 2020-01-01: enough for an internal extension that subscribes to no
    /// event (the runtime's graceful-shutdown hook). Its `/event/next` holds until the process goes.
    static func serveExtensionsAPI(_ request: HTTPServerRequest, state: ConditionGuarded<State>) -> HTTPServerReply {
        switch (request.method, request.path) {
        case ("POST", "/2020-01-01/extension/register"):
            guard let name = request.headers["Lambda-Extension-Name"], !name.isEmpty else {
                return apiError(400, "Extension.InvalidExtensionName", "Lambda-Extension-Name is required")
            }
            let events = (try? JSONValue(parsing: request.body))?["events"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if events.contains("SHUTDOWN") {
                return apiError(
                    403, "Extension.InvalidEventType", "SHUTDOWN: ShutdownEventNotSupportedForInternalExtension")
            }
            let identifier = UUID().uuidString.lowercased()
            let registered = state.update { state -> Bool in
                guard state.initDuration == nil else { return false }
                state.extensions.insert(identifier)
                return true
            }
            guard registered else {
                return apiError(
                    403, "Extension.RegistrationClosed", "registration closes with the runtime's first /next")
            }
            return .response(
                HTTPResponse(
                    status: 200,
                    headers: ["Content-Type": "application/json", "Lambda-Extension-Identifier": identifier],
                    body: Array(#"{"functionName":"local","functionVersion":"$LATEST","handler":"bootstrap"}"#.utf8)))
        case ("GET", "/2020-01-01/extension/event/next"):
            let identifier = request.headers["Lambda-Extension-Identifier"] ?? ""
            let generation = state.withLock { $0.extensions.contains(identifier) ? $0.generation : nil }
            guard let generation else {
                return apiError(403, "Extension.InvalidExtensionState", "unknown Lambda-Extension-Identifier")
            }
            // No event was subscribed to: nothing comes until the environment goes.
            _ = state.wait { state in
                state.shutDown || state.generation != generation || state.exitStatus != nil ? true : nil
            }
            return .dropConnection
        default:
            return apiError(404, "UnknownResource", "no such resource: \(request.method) \(request.path)")
        }
    }

    static func complete(_ requestID: String, _ completion: Completion, state: ConditionGuarded<State>)
        -> HTTPServerReply
    {
        let known = state.update { state -> Bool in
            guard state.pickedUp[requestID] != nil, state.completed[requestID] == nil else { return false }
            state.completed[requestID] = (completion, .now)
            return true
        }
        guard known else {
            return apiError(
                400, "InvalidRequestID", "Invalid request ID: \(requestID) is not an invocation in progress")
        }
        return accepted()
    }

    static func accepted() -> HTTPServerReply {
        .response(
            HTTPResponse(
                status: 202, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"OK"}"#.utf8)))
    }

    static func apiError(_ status: Int, _ type: String, _ message: String) -> HTTPServerReply {
        let body = (try? JSONEncoder().encode(["errorType": type, "errorMessage": message])) ?? Data()
        return .response(HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body)))
    }

    /// An X-Ray trace header of the documented shape: Root=1-{epoch hex}-{96-bit id}.
    static func traceID() -> String {
        let epoch = String(Int(Date().timeIntervalSince1970), radix: 16)
        let root = (0..<24).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        let parent = (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return "Root=1-\(epoch)-\(root);Parent=\(parent);Sampled=0"
    }
}
