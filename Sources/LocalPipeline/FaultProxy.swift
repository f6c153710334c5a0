import Foundation
import LambdaHTTP
import LoopbackHTTP
import Synchronization

/// Which share of calls the proxy spoils, and how.
public struct FaultPlan: Sendable, Equatable {
    /// Answered with the protocol's throttling error (400 `ThrottlingException` for JSON
    /// protocols, 400 `Throttling` for query ones), without reaching the endpoint.
    public var throttle: Double
    /// Answered 500 `InternalFailure`, without reaching the endpoint.
    public var serverError: Double
    /// Forwarded to the endpoint, which acts on it, and then the connection is closed without
    /// an answer: the caller cannot know whether its call took effect, the case an idempotent
    /// design exists for.
    public var dropAfterForwarding: Double
    /// Closed without forwarding: a call that never arrived.
    public var dropBeforeForwarding: Double
    /// The seed of the proxy's random numbers: the same seed spoils the same calls, in
    /// order of arrival.
    public var seed: UInt64

    public init(
        throttle: Double = 0, serverError: Double = 0, dropAfterForwarding: Double = 0,
        dropBeforeForwarding: Double = 0, seed: UInt64 = 1
    ) {
        self.throttle = throttle
        self.serverError = serverError
        self.dropAfterForwarding = dropAfterForwarding
        self.dropBeforeForwarding = dropBeforeForwarding
        self.seed = seed
    }

    /// `share` of all calls spoiled, split evenly between the four kinds.
    public static func evenly(_ share: Double, seed: UInt64 = 1) -> FaultPlan {
        FaultPlan(
            throttle: share / 4, serverError: share / 4, dropAfterForwarding: share / 4,
            dropBeforeForwarding: share / 4, seed: seed)
    }

    public var total: Double { throttle + serverError + dropAfterForwarding + dropBeforeForwarding }

    /// Reads `throttle=0.05,error=0.05,drop=0.02,lost=0.01,seed=7`.
    public init(parsing text: String) throws(FaultPlanError) {
        self.init()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw FaultPlanError(text: text, reason: "'\(part)' is not name=value") }
            if pair[0] == "seed" {
                guard let seed = UInt64(pair[1]) else {
                    throw FaultPlanError(text: text, reason: "seed must be a whole number")
                }
                self.seed = seed
                continue
            }
            guard let share = Double(pair[1]), share >= 0, share <= 1 else {
                throw FaultPlanError(text: text, reason: "\(pair[0]) must be a share between 0 and 1")
            }
            switch pair[0] {
            case "throttle": throttle = share
            case "error": serverError = share
            case "drop": dropAfterForwarding = share
            case "lost": dropBeforeForwarding = share
            case "all":
                self = .evenly(share, seed: seed)
            default:
                throw FaultPlanError(
                    text: text, reason: "unknown fault '\(pair[0])' (throttle, error, drop, lost, all, seed)")
            }
        }
        guard total <= 1 else { throw FaultPlanError(text: text, reason: "the shares add up to more than 1") }
    }
}

public struct FaultPlanError: Error, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "bad fault plan '\(text)': \(reason)" }
}

/// What the proxy did, so that a test can tell its faults happened and a user can see them.
public struct FaultCounts: Sendable, Equatable, CustomStringConvertible {
    public var forwarded = 0
    public var throttled = 0
    public var serverErrors = 0
    public var droppedAfterForwarding = 0
    public var droppedBeforeForwarding = 0
    /// Calls the endpoint itself did not answer; passed on as dropped connections.
    public var upstreamFailures = 0
    /// Every call that reached the proxy, by `service:Operation` (the SigV4 scope's service;
    /// `X-Amz-Target`'s operation or the query protocol's `Action`): what a capacity model
    /// prices.
    public var calls: [String: Int] = [:]

    public init() {}

    public var injected: Int { throttled + serverErrors + droppedAfterForwarding + droppedBeforeForwarding }

    public var description: String {
        "forwarded \(forwarded), injected \(injected) (throttled \(throttled), 500 \(serverErrors), dropped after forwarding \(droppedAfterForwarding), dropped before \(droppedBeforeForwarding)), upstream failures \(upstreamFailures)"
    }
}

/// A loopback HTTP proxy in front of an AWS endpoint that spoils a given share of calls with
/// throttling, 500s and dropped connections, so that functions meet the failures real AWS
/// produces now and then, on demand and reproducibly.
///
/// Signatures stay valid: the request goes upstream byte for byte with its `Host` header as
/// signed, and the endpoint (moto) checks the signature against that header.
public final class FaultProxy: Sendable {
    public let upstream: String
    public let plan: FaultPlan
    private let server: LoopbackHTTPServer
    private let state: FaultLedger

    /// - Parameter upstream: the endpoint's base URL, e.g. `http://127.0.0.1:5000`.
    public init(
        upstream: String, plan: FaultPlan, port: Int = 0,
        httpClient: HTTPClient = HTTPClient(configuration: .init(maximumIdleHandles: 64))
    ) throws {
        var upstream = upstream
        while upstream.hasSuffix("/") { upstream.removeLast() }
        self.upstream = upstream
        self.plan = plan
        let state = FaultLedger(seed: plan.seed)
        self.state = state
        let target = upstream
        server = try LoopbackHTTPServer(port: port) { request in
            FaultProxy.handle(request, upstream: target, plan: plan, state: state, client: httpClient)
        }
    }

    deinit { server.stop() }

    /// The URL to give functions as `AWS_ENDPOINT_URL`.
    public var endpoint: String { "http://\(server.authority)" }

    public var counts: FaultCounts { state.mutex.withLock { $0.counts } }

    public func stop() { server.stop() }

    private enum Decision { case forward, throttle, serverError, dropAfter, dropBefore }

    private static func handle(
        _ request: HTTPServerRequest, upstream: String, plan: FaultPlan, state: FaultLedger, client: HTTPClient
    ) -> HTTPServerReply {
        let call = callName(request)
        let decision = state.mutex.withLock { state -> Decision in
            state.counts.calls[call, default: 0] += 1
            let draw = state.random.nextUnitInterval()
            var bound = plan.throttle
            if draw < bound {
                state.counts.throttled += 1
                return .throttle
            }
            bound += plan.serverError
            if draw < bound {
                state.counts.serverErrors += 1
                return .serverError
            }
            bound += plan.dropAfterForwarding
            if draw < bound {
                state.counts.droppedAfterForwarding += 1
                return .dropAfter
            }
            bound += plan.dropBeforeForwarding
            if draw < bound {
                state.counts.droppedBeforeForwarding += 1
                return .dropBefore
            }
            state.counts.forwarded += 1
            return .forward
        }
        switch decision {
        case .throttle:
            return .response(
                errorResponse(
                    for: request, status: 400, code: isQuery(request) ? "Throttling" : "ThrottlingException",
                    message: "Rate exceeded (injected by the fault proxy)"))
        case .serverError:
            return .response(
                errorResponse(
                    for: request, status: 500, code: "InternalFailure", message: "injected by the fault proxy"))
        case .dropBefore:
            return .dropConnection
        case .forward, .dropAfter:
            var headers = HTTPHeaders()
            // Hop-by-hop fields are this connection's, not the call's; Content-Length is recomputed.
            for (name, value) in request.headers
            where !["connection", "content-length", "transfer-encoding", "keep-alive", "expect"].contains(
                name.lowercased())
            {
                headers.add(name, value)
            }
            let forwarded = HTTPRequest(
                method: request.method, url: upstream + request.target, headers: headers, body: request.body,
                timeout: .seconds(60))
            let response: HTTPResponse
            do {
                response = try client.execute(forwarded)
            } catch {
                state.mutex.withLock { $0.counts.upstreamFailures += 1 }
                return .dropConnection
            }
            if decision == .dropAfter { return .dropConnection }
            var passed = HTTPHeaders()
            for (name, value) in response.headers
            where !["connection", "content-length", "transfer-encoding", "keep-alive"].contains(name.lowercased()) {
                passed.add(name, value)
            }
            return .response(HTTPResponse(status: response.status, headers: passed, body: response.body))
        }
    }

    /// `service:Operation`, e.g. `dynamodb:TransactWriteItems`, `sns:Publish`.
    static func callName(_ request: HTTPServerRequest) -> String {
        let authorization = request.headers["Authorization"] ?? ""
        // Credential=AKID/20261205/us-east-1/dynamodb/aws4_request
        let scope = authorization.split(separator: "Credential=").last?.split(separator: ",").first ?? ""
        let parts = scope.split(separator: "/")
        let service = parts.count >= 4 ? String(parts[3]) : "unknown"
        if let target = request.headers["X-Amz-Target"], let operation = target.split(separator: ".").last {
            return "\(service):\(operation)"
        }
        let form = String(decoding: request.body, as: UTF8.self)
        let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }?.dropFirst("Action=".count)
        return "\(service):\(action.map(String.init) ?? request.method)"
    }

    /// awsQuery calls (SNS) are form posts without `X-Amz-Target`; JSON ones name their target.
    static func isQuery(_ request: HTTPServerRequest) -> Bool {
        request.headers["X-Amz-Target"] == nil
            && (request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false)
    }

    /// The error in the shape the caller's protocol parses: XML `<ErrorResponse>` for
    /// query, `__type` JSON plus `x-amzn-ErrorType` for the JSON protocols.
    static func errorResponse(for request: HTTPServerRequest, status: Int, code: String, message: String)
        -> HTTPResponse
    {
        let requestID = UUID().uuidString.lowercased()
        if isQuery(request) {
            let type = status >= 500 ? "Receiver" : "Sender"
            let body =
                "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>\(type)</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>\(requestID)</RequestId></ErrorResponse>"
            return HTTPResponse(
                status: status, headers: ["Content-Type": "text/xml", "x-amzn-RequestId": requestID],
                body: Array(body.utf8))
        }
        let body = #"{"__type":"\#(code)","message":"\#(message)"}"#
        return HTTPResponse(
            status: status,
            headers: [
                "Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestID, "x-amzn-ErrorType": code,
            ],
            body: Array(body.utf8))
    }
}

/// The proxy's random numbers and counts, shared by its connection threads.
final class FaultLedger: Sendable {
    struct State {
        var random: SplitMix64
        var counts = FaultCounts()
    }

    let mutex: Mutex<State>

    init(seed: UInt64) { mutex = Mutex(State(random: SplitMix64(seed: seed))) }
}

/// A small seeded generator (SplitMix64): the same seed gives the same faults, which a
/// system RNG cannot promise.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1, from the top 53 bits.
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
