import Dispatch
import JSONCoding
import LambdaHTTP
import Logging
import UTCTime

/// Sends signed requests to one AWS service: signs every attempt, retries what may succeed
/// later with jittered backoff inside the caller's deadline, and consults the endpoint's
/// circuit breaker. Service clients are thin layers over ``sendJSON(operation:input:deadline:)``
/// and ``sendQuery(operation:parameters:deadline:)``.
public final class AWSTransport: Sendable {
    public struct Options: Sendable {
        public var retryPolicy: RetryPolicy
        /// Upper bound of one attempt; a deadline closer than this shortens it.
        public var attemptTimeout: Duration
        /// Applied when a call passes no deadline: the whole call, retries included, ends
        /// within this. `nil` bounds a call only by its attempts.
        public var defaultTimeBudget: Duration?

        public init(
            retryPolicy: RetryPolicy = .default, attemptTimeout: Duration = .seconds(10),
            defaultTimeBudget: Duration? = nil
        ) {
            self.retryPolicy = retryPolicy
            self.attemptTimeout = attemptTimeout
            self.defaultTimeBudget = defaultTimeBudget
        }
    }

    public let service: AWSService
    /// The base URL, e.g. `https://dynamodb.eu-west-1.amazonaws.com`.
    public let endpoint: String
    public let options: Options
    private let signer: SigV4Signer
    private let redactor: SecretRedactor
    private let httpClient: HTTPClient
    private let breaker: CircuitBreaker
    private let timing: RetryTiming
    private let wallClock: @Sendable () -> UTCTime
    private let logger: Logger

    public init(
        service: AWSService,
        configuration: AWSConfiguration,
        options: Options = Options(),
        httpClient: HTTPClient = HTTPClient(),
        circuitBreakers: CircuitBreakerRegistry = CircuitBreakerRegistry(),
        timing: RetryTiming = .live,
        wallClock: @escaping @Sendable () -> UTCTime = { UTCTime.now() },
        logger: Logger = Logger(label: "aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.service = service
        self.endpoint = configuration.endpoint(for: service)
        self.options = options
        self.signer = SigV4Signer(
            credentials: configuration.credentials, region: configuration.region, service: service.signingName)
        self.redactor = SecretRedactor(credentials: configuration.credentials)
        self.httpClient = httpClient
        self.breaker = circuitBreakers.breaker(for: endpoint)
        self.timing = timing
        self.wallClock = wallClock
        var logger = logger
        logger[metadataKey: "aws.service"] = .string(service.name)
        self.logger = logger
    }

    /// The breaker guarding this transport's endpoint.
    public var circuitBreaker: CircuitBreaker { breaker }

    // MARK: Protocols

    /// An `awsJson1_0` / `awsJson1_1` call: the input as the JSON body, the output decoded
    /// from the response.
    /// `attemptTimeout` overrides the transport's for one call (a long poll needs longer).
    public func sendJSON<Output: Decodable>(
        operation: String, input: some Encodable, as output: Output.Type = Output.self,
        deadline: ContinuousClock.Instant?,
        attemptTimeout: Duration? = nil
    ) async throws -> Output {
        guard case .json(let version, let targetPrefix) = service.wireProtocol else {
            preconditionFailure("\(service.name) does not speak the JSON protocol")
        }
        let body: [UInt8]
        do {
            body = try JSON.encode(input)
        } catch {
            throw AWSTransportError.invalidResponse(
                service: service.name, operation: operation, reason: "cannot encode the request: \(error)")
        }
        let headers: HTTPHeaders = [
            "Content-Type": "application/x-amz-json-\(version)",
            "X-Amz-Target": "\(targetPrefix).\(operation)",
        ]
        let response = try await send(
            operation: operation, headers: headers, body: body, deadline: deadline, attemptTimeout: attemptTimeout)
        do {
            return try JSON.decode(Output.self, from: response.body.isEmpty ? Array("{}".utf8) : response.body)
        } catch {
            throw AWSTransportError.invalidResponse(service: service.name, operation: operation, reason: "\(error)")
        }
    }

    /// An `awsQuery` call. Returns the response's root element (`<PublishResponse>`).
    package func sendQuery(operation: String, parameters: QueryParameters, deadline: ContinuousClock.Instant?)
        async throws -> XMLElementNode
    {
        guard case .query(let apiVersion) = service.wireProtocol else {
            preconditionFailure("\(service.name) does not speak the query protocol")
        }
        var form = QueryParameters()
        form.add("Action", operation)
        form.add("Version", apiVersion)
        for (name, value) in parameters.pairs { form.add(name, value) }
        let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
        let response = try await send(
            operation: operation, headers: headers, body: Array(form.encoded().utf8), deadline: deadline)
        do {
            return try XMLElementNode.parse(response.body)
        } catch {
            throw AWSTransportError.invalidResponse(service: service.name, operation: operation, reason: "\(error)")
        }
    }

    // MARK: Signed exchange with retries

    /// POSTs `body` to the endpoint, signed, and returns the first 2xx response. A service
    /// error is thrown as ``AWSError``; no response at all as ``AWSTransportError``.
    public func send(
        operation: String, headers: HTTPHeaders, body: [UInt8], deadline: ContinuousClock.Instant?,
        attemptTimeout: Duration? = nil
    ) async throws -> HTTPResponse {
        let deadline = deadline ?? options.defaultTimeBudget.map { timing.now() + $0 }
        let policy = options.retryPolicy
        var logger = self.logger
        logger[metadataKey: "aws.operation"] = .string(operation)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            var timeout = attemptTimeout ?? options.attemptTimeout
            if let deadline {
                let remaining = deadline - timing.now()
                guard remaining > .zero else {
                    logger.debug("AWS call abandoned: deadline passed", metadata: ["aws.attempt": "\(attempt)"])
                    throw AWSTransportError.deadlineExceeded(
                        service: service.name, operation: operation, attempts: attempt - 1)
                }
                timeout = min(timeout, remaining)
            }
            guard breaker.allowRequest() else {
                logger.warning("AWS call failed fast: circuit open", metadata: ["aws.endpoint": "\(endpoint)"])
                throw AWSTransportError.circuitOpen(service: service.name, operation: operation, endpoint: endpoint)
            }

            var request = HTTPRequest(
                method: "POST", url: endpoint + "/", headers: headers, body: body, timeout: timeout)
            request.headers.replaceOrAdd("User-Agent", "swift-lambda-kit")
            // The invocation's trace, as the SDKs' recursion detection sends it (not signed:
            // proxies may rewrite it). A header the caller set wins.
            if !request.headers.contains("X-Amzn-Trace-Id"), let trace = InvocationTrace.outgoingHeader {
                request.headers.add("X-Amzn-Trace-Id", trace)
            }
            signer.sign(&request, at: wallClock())
            logger.trace(
                "AWS request",
                metadata: [
                    "aws.attempt": "\(attempt)",
                    "http.url": "\(request.url)",
                    "http.request.body.size": "\(body.count)",
                    // Names only: the values of Authorization and X-Amz-Security-Token are secret.
                    "http.request.header_names": "\(request.headers.map(\.name).joined(separator: ","))",
                ])

            let failure: any Error
            do {
                let response = try await perform(request)
                if (200..<300).contains(response.status) {
                    breaker.recordSuccess()
                    logger.debug(
                        "AWS response",
                        metadata: [
                            "aws.attempt": "\(attempt)", "http.status": "\(response.status)",
                            "aws.request_id":
                                "\(response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"] ?? "-")",
                        ])
                    return response
                }
                var error = ErrorParsing.parse(response, service: service, operation: operation)
                error.message = error.message.map(redactor.redact)
                error.body = redactor.redact(error.body)
                // The breaker tracks endpoint health: an answered 4xx (even a throttle) shows it alive.
                if error.isServerError { breaker.recordFailure() } else { breaker.recordSuccess() }
                logger.debug(
                    "AWS error",
                    metadata: [
                        "aws.attempt": "\(attempt)", "http.status": "\(error.statusCode)",
                        "aws.error.code": "\(error.code)",
                        "aws.error.message": "\(error.message ?? "")", "aws.request_id": "\(error.requestID ?? "-")",
                    ])
                failure = error
            } catch {
                breaker.recordFailure()
                logger.debug("AWS request failed", metadata: ["aws.attempt": "\(attempt)", "error": "\(error)"])
                failure = error
            }

            guard RetryPolicy.isRetryable(failure), attempt < policy.maximumAttempts else {
                throw wrap(failure, operation: operation, attempts: attempt)
            }
            let delay = policy.delay(afterFailedAttempts: attempt, jitter: timing.jitter())
            if let deadline, timing.now() + delay >= deadline {
                logger.debug(
                    "AWS call not retried: the backoff would pass the deadline", metadata: ["aws.attempt": "\(attempt)"]
                )
                throw wrap(failure, operation: operation, attempts: attempt)
            }
            logger.debug("AWS call retrying", metadata: ["aws.attempt": "\(attempt)", "aws.retry.delay": "\(delay)"])
            try await timing.sleep(delay)
        }
    }

    private func wrap(_ error: any Error, operation: String, attempts: Int) -> any Error {
        if let error = error as? HTTPClientError {
            return AWSTransportError.network(
                service: service.name, operation: operation, attempts: attempts, underlying: error)
        }
        return error
    }

    /// Runs the blocking libcurl exchange on a Dispatch worker, so that it never holds one
    /// of the few threads of Swift's cooperative pool for the length of a network round trip.
    private func perform(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let client = httpClient
        let result: Result<HTTPResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(HTTPClientError) in try client.execute(request) })
            }
        }
        return try result.get()
    }
}
