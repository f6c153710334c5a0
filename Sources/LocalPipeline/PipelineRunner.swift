import AWSCore
import AWSSQS
import Foundation
import JSONCoding
import LambdaEmulator
import LambdaHTTP
import UTCTime

/// How to run a template's system locally.
public struct PipelineOptions: Sendable {
    public var templatePath: String
    public var stackName: String
    /// Where the functions' executables are (`.build/debug`, `.build/release`), searched in order.
    public var buildDirectories: [String]
    /// Executables given explicitly, by logical id or function name.
    public var executables: [String: String]
    /// When set, the functions reach AWS through a fault proxy with this plan; the event
    /// source mappings (Lambda's own pollers) still talk to the endpoint directly.
    public var faults: FaultPlan?
    /// Function processes killed mid-invocation and the pollers' long polls cut (`ChaosPlan`).
    public var chaos: ChaosPlan?
    /// Schedule rules (logical id or name) to fire once as soon as the system is up, besides
    /// at their times.
    public var fireSchedulesNow: [String] = []
    /// The first API's port (the next API gets the next port); 0 picks free ports.
    public var apiPort: Int
    /// Processes per function behind each API and each event source mapping: how many
    /// invocations of one function run at once.
    public var concurrency: Int
    /// False serves the APIs alone (`start-api --template`): no SQS event source mappings and
    /// no schedules; the resources the functions use are still provisioned.
    public var runsEventSources = true
    /// Served at `/` of the first HTTP API, with a `config.json` written into it: the web page.
    public var webRoot: String?
    /// Confirmed users created in the web page's user pool (`--user NAME:PASSWORD`).
    public var users: [(name: String, password: String)] = []
    /// The event source mappings' long poll; Lambda's is 20 s.
    public var waitTimeSeconds: Int
    /// Sets every queue's visibility timeout, overriding the template: failed messages come
    /// back sooner, so that a test reaches the DLQ in seconds rather than minutes.
    public var visibilityTimeoutOverride: Int?
    /// Sets every function's timeout, overriding the template. Shorten it with the visibility
    /// timeout: a claim an invocation leaves behind (an idempotency record in progress) lasts
    /// until its deadline, and a redelivery that comes back before then finds it still held.
    public var functionTimeoutOverride: Duration?
    /// Receives each invocation, as data: what a benchmark or a capacity model adds up.
    public var onInvocation: (@Sendable (InvocationObservation) -> Void)?
    /// Receives each one-line record of an invocation.
    public var log: @Sendable (String) -> Void
    /// Receives the functions' own stdout and stderr.
    public var functionOutput: @Sendable ([UInt8]) -> Void

    public init(
        templatePath: String, stackName: String = "local",
        buildDirectories: [String] = [".build/debug", ".build/release"],
        executables: [String: String] = [:], faults: FaultPlan? = nil, chaos: ChaosPlan? = nil, apiPort: Int = 3000,
        concurrency: Int = 1,
        waitTimeSeconds: Int = 20, visibilityTimeoutOverride: Int? = nil, functionTimeoutOverride: Duration? = nil,
        users: [(name: String, password: String)] = [],
        log: @escaping @Sendable (String) -> Void = { print($0) },
        functionOutput: @escaping @Sendable ([UInt8]) -> Void = LocalLambdaConfiguration.standardError
    ) {
        self.templatePath = templatePath
        self.stackName = stackName
        self.buildDirectories = buildDirectories
        self.executables = executables
        self.faults = faults
        self.chaos = chaos
        self.apiPort = apiPort
        self.concurrency = concurrency
        self.waitTimeSeconds = waitTimeSeconds
        self.visibilityTimeoutOverride = visibilityTimeoutOverride
        self.functionTimeoutOverride = functionTimeoutOverride
        self.users = users
        self.log = log
        self.functionOutput = functionOutput
    }
}

/// One invocation of a function of the system: by its API (`source` "api", one request) or
/// by an event source mapping (`source` the queue's name, `messages` the batch).
public struct InvocationObservation: Sendable {
    public var functionName: String
    public var source: String
    public var messages: Int
    public var report: InvocationReport
}

public enum PipelineError: Error, CustomStringConvertible {
    case noEndpoint
    case executableNotFound(function: String, candidates: [String], directories: [String])
    case initFailed(function: String, report: String)
    case unknownQueue(function: String, arn: String)
    case unknownSchedule(String, known: [String])

    public var description: String {
        switch self {
        case .noEndpoint:
            "the local pipeline needs an AWS-compatible endpoint: set AWS_ENDPOINT_URL (e.g. moto_server, see scripts/with-moto.sh)"
        case .executableNotFound(let function, let candidates, let directories):
            "no executable for \(function): looked for \(candidates.joined(separator: ", ")) in \(directories.joined(separator: ", ")); build it (swift build --product \(candidates.first ?? function)) or pass --executable \(function)=PATH"
        case .initFailed(let function, let report):
            "\(function) failed its init phase: \(report)"
        case .unknownQueue(let function, let arn):
            "\(function) has an SQS event on \(arn), which the template does not create"
        case .unknownSchedule(let rule, let known):
            "no schedule rule \(rule) in the template (schedule rules: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
    }
}

/// The whole system on this machine: the template's resources provisioned in the endpoint,
/// each function running as warm bootstrap processes, its API served on loopback and its
/// SQS event source mappings polling.
public final class PipelineRunner: Sendable {
    public let stack: ProvisionedStack
    public let faultProxy: FaultProxy?
    /// By function logical id.
    public let gateways: [String: LocalAPIGateway]
    public let mappings: [EventSourceMapping]
    /// The template's outputs as they resolved locally (`pipeline up --outputs`).
    public let outputs: [String: String]
    private let lambdas: [LocalLambda]
    private let pollerProxy: FaultProxy?
    private let killer: ProcessKiller?
    private let schedules: ScheduleRunner
    private let admin: AWSAdmin

    private init(
        stack: ProvisionedStack, faultProxy: FaultProxy?, gateways: [String: LocalAPIGateway],
        mappings: [EventSourceMapping], outputs: [String: String], lambdas: [LocalLambda], pollerProxy: FaultProxy?,
        killer: ProcessKiller?, schedules: ScheduleRunner, admin: AWSAdmin
    ) {
        self.outputs = outputs
        self.admin = admin
        self.stack = stack
        self.faultProxy = faultProxy
        self.gateways = gateways
        self.mappings = mappings
        self.lambdas = lambdas
        self.pollerProxy = pollerProxy
        self.killer = killer
        self.schedules = schedules
    }

    /// Fires a schedule rule (logical id or name) now, as EventBridge would at `time`: its
    /// event's `time` is that minute, which is what a scheduled function works from.
    public func fireSchedule(_ rule: String, at time: UTCTime = .now()) async throws {
        guard let scheduled = stack.schedules.first(where: { $0.logicalID == rule || $0.name == rule }) else {
            throw PipelineError.unknownSchedule(rule, known: stack.schedules.map(\.logicalID))
        }
        await schedules.fire(scheduled, at: time)
    }

    /// Signs a user of the web page's pool in (USER_PASSWORD_AUTH, as the page does) and returns
    /// the ID token the API's JWT authorizer takes.
    public func signIn(_ username: String, password: String) async throws -> String {
        guard let identity = Self.webIdentity(stack) else {
            throw TemplateError("signing in needs a user pool and client in the template, and it has none")
        }
        return try await admin.idToken(clientID: identity.clientID, username: username, password: password)
    }

    /// CPU seconds the running function processes have used (processes replaced since count
    /// from their own start).
    public var functionCPUSeconds: Double {
        lambdas.compactMap(\.bootstrapCPUTime).reduce(0) {
            $0 + Double($1.components.seconds) + Double($1.components.attoseconds) / 1e18
        }
    }

    /// How often each schedule rule fired, by logical id.
    public var scheduleCounts: [String: Int] { schedules.counts }

    /// What `PipelineOptions.chaos` did so far; nil without it.
    public var chaosCounts: ChaosCounts? {
        guard killer != nil || pollerProxy != nil else { return nil }
        return ChaosCounts(kills: killer?.kills ?? [:], poller: pollerProxy?.counts)
    }

    /// Provisions, starts every function (waiting out their init phases) and starts the mappings.
    public static func up(_ options: PipelineOptions, configuration: AWSConfiguration) async throws -> PipelineRunner {
        guard let endpoint = configuration.endpointURL else { throw PipelineError.noEndpoint }
        let template = try CloudFormationTemplate(contentsOf: options.templatePath)
        let admin = AWSAdmin(configuration: configuration)
        let stack = try await TemplateProvisioner(admin: admin, stackName: options.stackName).provision(template)
        if let timeout = options.visibilityTimeoutOverride {
            for queue in stack.queues {
                try await admin.setQueueAttributes(url: queue.url, attributes: ["VisibilityTimeout": String(timeout)])
            }
        }
        let log = options.log
        let onInvocation = options.onInvocation
        for skipped in stack.skipped { log("not provisioned: \(skipped)") }

        let proxy = try options.faults.map { try FaultProxy(upstream: endpoint, plan: $0) }
        let functionEndpoint = proxy?.endpoint ?? endpoint
        let pollerProxy = try options.chaos?.pollerFaults.map { try FaultProxy(upstream: endpoint, plan: $0) }
        var pollerConfiguration = configuration
        pollerConfiguration.endpointURL = pollerProxy?.endpoint ?? endpoint
        let pollerSQS = AWSAdmin(configuration: pollerConfiguration).sqs

        var lambdas: [(function: String, lambda: LocalLambda)] = []
        var gateways: [String: LocalAPIGateway] = [:]
        var mappings: [EventSourceMapping] = []
        var apiPools: [String: LambdaPool] = [:]
        do {
            for function in stack.functions where options.runsEventSources || !function.apiEvents.isEmpty {
                let executable = try Self.executable(for: function, options: options)
                var environment = function.environment
                environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
                environment["AWS_ENDPOINT_URL"] = functionEndpoint
                environment["AWS_ACCESS_KEY_ID"] = configuration.credentials.accessKeyID
                environment["AWS_SECRET_ACCESS_KEY"] = configuration.credentials.secretAccessKey
                if let token = configuration.credentials.sessionToken { environment["AWS_SESSION_TOKEN"] = token }
                func makeLambdas() throws -> [LocalLambda] {
                    try (0..<max(1, options.concurrency)).map { _ in
                        try LocalLambda(
                            configuration: LocalLambdaConfiguration(
                                command: [executable], functionName: function.name, memorySize: function.memorySize,
                                timeout: options.functionTimeoutOverride ?? function.timeout,
                                region: configuration.region, environment: environment,
                                // Only what the template gives, as in Lambda: nothing of this shell leaks in.
                                inheritsEnvironment: false, functionOutput: options.functionOutput))
                    }
                }
                if !function.apiEvents.isEmpty {
                    let pool = try makeLambdas()
                    lambdas += pool.map { (function.name, $0) }
                    try start(pool, function: function.name)
                    apiPools[function.logicalID] = LambdaPool(pool)
                }
                for source in function.sqsEvents where source.enabled && options.runsEventSources {
                    guard let queue = stack.queue(arn: source.queueARN) else {
                        throw PipelineError.unknownQueue(function: function.name, arn: source.queueARN)
                    }
                    let pool = try makeLambdas()
                    lambdas += pool.map { (function.name, $0) }
                    try start(pool, function: function.name)
                    let mapping = EventSourceMapping(
                        configuration: EventSourceMappingConfiguration(
                            functionName: function.name, queueURL: queue.url, queueARN: queue.arn,
                            batchSize: source.batchSize,
                            maximumBatchingWindow: source.maximumBatchingWindow,
                            reportBatchItemFailures: source.reportBatchItemFailures,
                            waitTimeSeconds: options.waitTimeSeconds, region: configuration.region),
                        lambdas: pool, sqs: pollerSQS,
                        onBatch: { batch in
                            onInvocation?(
                                InvocationObservation(
                                    functionName: batch.functionName, source: batch.queueName, messages: batch.messages,
                                    report: batch.report))
                            log("\(timestamp()) \(batch.line)")
                        },
                        onError: { log("\(timestamp()) \($0)") })
                    mappings.append(mapping)
                    log(
                        "\(function.name): polling \(queue.name) (batch \(source.batchSize), window \(source.maximumBatchingWindow), \(queue.deadLetterTargetARN.map { "DLQ \($0.split(separator: ":").last ?? "") after \(queue.maxReceiveCount ?? 0) receives" } ?? "no DLQ"))"
                    )
                }
            }
            gateways = try serveAPIs(stack, pools: apiPools, options: options, endpoint: endpoint)
            try await createUsers(stack, options: options, admin: admin)
        } catch {
            for (_, lambda) in lambdas { lambda.shutdown() }
            for gateway in gateways.values { gateway.stop() }
            proxy?.stop()
            pollerProxy?.stop()
            throw error
        }
        for mapping in mappings { mapping.start() }
        let killer = options.chaos?.killEvery.map {
            ProcessKiller(lambdas: lambdas, every: $0, seed: options.chaos?.seed ?? 1)
        }
        let schedules = ScheduleRunner(stack: stack, sqs: admin.sqs, log: log)
        for rule in stack.schedules {
            let targets = rule.targetARNs.map { String($0.split(separator: ":").last ?? "") }
            log("\(rule.logicalID): \(rule.expression), to \(targets.joined(separator: ", "))")
        }
        if options.runsEventSources { schedules.start() }
        let runner = PipelineRunner(
            stack: stack, faultProxy: proxy, gateways: gateways, mappings: mappings,
            outputs: outputs(template, stack: stack, gateways: gateways, endpoint: endpoint),
            lambdas: lambdas.map(\.lambda),
            pollerProxy: pollerProxy, killer: killer, schedules: schedules, admin: admin)
        for rule in options.fireSchedulesNow {
            do {
                try await runner.fireSchedule(rule)
            } catch {
                await runner.stop()
                throw error
            }
        }
        return runner
    }

    /// Stops the APIs and the mappings (letting batches in flight finish and be deleted),
    /// then ends every function process and the fault proxy.
    public func stop() async {
        killer?.stop()
        schedules.stop()
        for gateway in gateways.values { gateway.stop() }
        for mapping in mappings { await mapping.stop() }
        await blocking { [lambdas] in for lambda in lambdas { lambda.shutdown() } }
        faultProxy?.stop()
        pollerProxy?.stop()
    }

    /// The API that serves a function (by logical id or name), or an API by its logical id.
    public func gateway(_ name: String) -> LocalAPIGateway? {
        if let api = gateways[name] { return api }
        guard let function = stack.functions.first(where: { $0.logicalID == name || $0.name == name }),
            let api = stack.apis.first(where: { $0.routes.contains { $0.function == function.logicalID } })
        else { return nil }
        return gateways[api.logicalID]
    }

    /// One local API per API of the template, on consecutive ports from `options.apiPort`; the
    /// web page (and its `config.json`) on the first HTTP API.
    private static func serveAPIs(
        _ stack: ProvisionedStack, pools: [String: LambdaPool], options: PipelineOptions, endpoint: String
    ) throws -> [String: LocalAPIGateway] {
        let log = options.log
        let onInvocation = options.onInvocation
        var authorizers: [JWTAuthorizerConfiguration: JWTAuthorizer] = [:]
        var gateways: [String: LocalAPIGateway] = [:]
        var nextPort = options.apiPort
        let webAPI = stack.apis.first { $0.routes.contains { $0.format == .httpAPIv2 } }?.logicalID
        do {
            for api in stack.apis {
                let routes = try api.routes.map { route in
                    guard let pool = pools[route.function],
                        let function = stack.functions.first(where: { $0.logicalID == route.function })
                    else { throw PipelineError.initFailed(function: route.function, report: "no process for its API") }
                    var authorizer: JWTAuthorizer?
                    if let configuration = route.authorizer {
                        authorizer =
                            authorizers[configuration]
                            ?? JWTAuthorizer(
                                configuration: configuration,
                                jwksURL: JWTAuthorizer.jwksURL(issuer: configuration.issuer, localEndpoint: endpoint))
                        authorizers[configuration] = authorizer
                    }
                    return APIRoute(
                        method: route.method, path: route.path, functionName: function.name, pool: pool,
                        format: route.format, authorizer: authorizer, scopes: route.scopes)
                }
                let webRoot = api.logicalID == webAPI ? options.webRoot : nil
                let name = api.logicalID
                let gateway = try LocalAPIGateway(
                    routes: routes, webRoot: webRoot,
                    // The page's (and any local client's) way to Cognito, on the first HTTP API.
                    cognito: api.logicalID == webAPI ? CognitoPassthrough(endpoint: endpoint) : nil, port: nextPort
                ) { record in
                    if let report = record.report, let function = record.functionName {
                        onInvocation?(
                            InvocationObservation(functionName: function, source: "api", messages: 1, report: report))
                    }
                    guard record.route != "web" else { return }
                    let outcome =
                        record.report.map {
                            "\(InvocationReport.milliseconds($0.duration)) ms\($0.isSuccess ? "" : " (\($0.errorType ?? "error"))")"
                        } ?? record.rejection ?? ""
                    log(
                        "\(timestamp()) \(record.functionName ?? name) <- \(record.method) \(record.target): \(record.status), \(outcome)"
                    )
                }
                if nextPort != 0 { nextPort += 1 }
                gateways[api.logicalID] = gateway
                let first = api.routes.first?.format == .restV1 ? "REST API" : "HTTP API"
                log("\(api.logicalID): \(first) on \(gateway.url)")
                for route in routes {
                    let guarded = route.authorizer.map { " (JWT authorizer \($0.configuration.name))" } ?? ""
                    log("  \(route.routeKey) -> \(route.functionName)\(guarded)")
                }
                if api.logicalID == webAPI { log("  Cognito at \(gateway.url)\(CognitoPassthrough.path)") }
                if let webRoot {
                    try writeWebConfiguration(
                        stack, apiURL: gateway.url, cognitoEndpoint: gateway.url + CognitoPassthrough.path,
                        into: webRoot)
                    log("  web page \(webRoot)/ at \(gateway.url)/")
                }
            }
        } catch {
            for gateway in gateways.values { gateway.stop() }
            throw error
        }
        return gateways
    }

    /// The sign-in pool and client of the web page: the first JWT authorizer's, else the
    /// template's first pool and client.
    static func webIdentity(_ stack: ProvisionedStack) -> (poolID: String, clientID: String)? {
        for api in stack.apis {
            for route in api.routes {
                guard let authorizer = route.authorizer,
                    let pool = stack.userPools.first(where: { $0.providerURL == authorizer.issuer }),
                    let client = authorizer.audiences.first(where: { stack.userPoolClients.values.contains($0) })
                else { continue }
                return (pool.id, client)
            }
        }
        guard let pool = stack.userPools.first, let client = stack.userPoolClients.values.sorted().first else {
            return nil
        }
        return (pool.id, client)
    }

    /// `config.json`, what the web page reads to find the API and Cognito: here, the local
    /// API and the endpoint's Cognito through it; deployed, `make upload-web` writes the real ones.
    static func writeWebConfiguration(
        _ stack: ProvisionedStack, apiURL: String, cognitoEndpoint: String, into webRoot: String
    ) throws {
        let identity = webIdentity(stack)
        let configuration: JSONValue = .object([
            "region": .string(stack.names.refs["AWS::Region"] ?? ""), "apiUrl": .string(apiURL),
            "cognito": .object([
                "endpoint": .string(cognitoEndpoint),
                "userPoolId": .string(identity?.poolID ?? ""), "clientId": .string(identity?.clientID ?? ""),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(configuration) + Data("\n".utf8)).write(
            to: URL(fileURLWithPath: webRoot).appendingPathComponent("config.json"))
    }

    /// `PipelineOptions.users`, confirmed, in the web page's pool.
    private static func createUsers(_ stack: ProvisionedStack, options: PipelineOptions, admin: AWSAdmin) async throws {
        guard !options.users.isEmpty else { return }
        guard let identity = webIdentity(stack) else {
            throw TemplateError("--user needs a user pool in the template, and it has none")
        }
        for user in options.users {
            try await admin.createConfirmedUser(poolID: identity.poolID, username: user.name, password: user.password)
            options.log("user \(user.name) in \(identity.poolID)")
        }
    }

    /// The template's outputs as they resolved here: an API's execute-api URL is the local
    /// API's, Cognito's public endpoint the local endpoint; an output naming something not
    /// provisioned is left out.
    static func outputs(
        _ template: CloudFormationTemplate, stack: ProvisionedStack, gateways: [String: LocalAPIGateway],
        endpoint: String
    ) -> [String: String] {
        let region = stack.names.refs["AWS::Region"] ?? ""
        var outputs: [String: String] = [:]
        for (name, value) in template.outputs {
            guard var text = try? stack.names.string(value, at: "Outputs.\(name).Value") else { continue }
            for (api, gateway) in gateways {
                let remote = "https://\(stack.names.refs[api] ?? api).execute-api.\(region).amazonaws.com"
                if text.hasPrefix(remote) { text = gateway.url + text.dropFirst(remote.count) }
            }
            let cognito = "https://cognito-idp.\(region).amazonaws.com/"
            if text == cognito || text == String(cognito.dropLast()) {
                text = endpoint.hasSuffix("/") ? endpoint : endpoint + "/"
            }
            outputs[name] = text
        }
        return outputs
    }

    /// Whether any mapping is invoking or deleting a batch right now.
    public var isBusy: Bool { mappings.contains { $0.isBusy } }

    private static func start(_ lambdas: [LocalLambda], function: String) throws {
        for lambda in lambdas {
            if case .failed(let report) = lambda.start() {
                throw PipelineError.initFailed(
                    function: function, report: String(decoding: report.payload, as: UTF8.self))
            }
        }
    }

    static func executable(for function: FunctionDefinition, options: PipelineOptions) throws -> String {
        if let given = options.executables[function.logicalID] ?? options.executables[function.name] { return given }
        for candidate in function.executableCandidates {
            for directory in options.buildDirectories {
                let path = URL(fileURLWithPath: directory).appendingPathComponent(candidate).path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        throw PipelineError.executableNotFound(
            function: function.logicalID, candidates: function.executableCandidates,
            directories: options.buildDirectories)
    }
}

func timestamp() -> String {
    Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
}
