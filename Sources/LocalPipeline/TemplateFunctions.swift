import Foundation
import LambdaEvents

// Reading a template's functions: their configuration, events and executables, with every
// intrinsic function resolved. Pure reading, no AWS: TemplateProvisioner creates the resources
// these name.

/// An SQS event source of a function.
public struct SQSEventSource: Sendable, Equatable {
    public var queueARN: String
    public var batchSize: Int
    public var maximumBatchingWindow: Duration
    public var reportBatchItemFailures: Bool
    public var enabled: Bool
}

/// An API event of a function: `HttpApi` (payload 2.0) or `Api` (REST, payload 1.0).
public struct APIEventSource: Sendable, Equatable {
    public var format: APIGatewayPayloadFormat
    public var path: String
    public var method: String
    /// The API's logical id (`ApiId: !Ref HttpApi`), or SAM's implicit API
    /// (`ServerlessHttpApi`, `ServerlessRestApi`) when the event names none.
    public var apiID: String
    /// `Auth.Authorizer`: an authorizer of the API by name, `NONE`, or nil for the API's default.
    public var authorizer: String?
    /// `Auth.AuthorizationScopes`.
    public var scopes: [String]
}

/// A function of the template, with its configuration resolved against what was provisioned.
public struct FunctionDefinition: Sendable, Equatable {
    public var logicalID: String
    /// The deployed name (`FunctionName`, or `<stack>-<LogicalID>`).
    public var name: String
    /// The candidates for the executable product's name, most specific first.
    public var executableCandidates: [String]
    public var timeout: Duration
    public var memorySize: Int
    /// Its `Environment.Variables`, Globals included, intrinsic functions resolved.
    public var environment: [String: String]
    public var sqsEvents: [SQSEventSource]
    public var apiEvents: [APIEventSource]
}

extension CloudFormationTemplate {
    /// Every `AWS::Serverless::Function`, resolved against `names`.
    public func functions(names: ResolvedNames) throws -> [FunctionDefinition] {
        try resources(ofType: "AWS::Serverless::Function").map { try function($0, names: names) }
    }

    func function(_ resource: TemplateResource, names: ResolvedNames) throws -> FunctionDefinition {
        let path = resource.logicalID
        let properties = resource.properties
        let globals = functionGlobals
        func property(_ key: String) -> TemplateValue? { properties[key] ?? globals[key] }

        var environment: [String: String] = [:]
        for source in [globals["Environment"]?["Variables"], properties["Environment"]?["Variables"]] {
            guard case .map(let variables)? = source else { continue }
            for (name, value) in variables {
                environment[name] = try names.string(value, at: "\(path).Environment.Variables.\(name)")
            }
        }

        var sqsEvents: [SQSEventSource] = []
        var apiEvents: [APIEventSource] = []
        if case .map(let events)? = properties["Events"] {
            for (eventName, event) in events.sorted(by: { $0.key < $1.key }) {
                let at = "\(path).Events.\(eventName)"
                let eventProperties = event["Properties"] ?? .map([:])
                switch event["Type"]?.string {
                case "SQS":
                    let queue = try names.string(eventProperties["Queue"] ?? .null, at: "\(at).Queue")
                    let types = eventProperties["FunctionResponseTypes"]?.list?.compactMap(\.string) ?? []
                    sqsEvents.append(
                        SQSEventSource(
                            queueARN: queue,
                            batchSize: try names.int(eventProperties["BatchSize"], at: "\(at).BatchSize") ?? 10,
                            maximumBatchingWindow: .seconds(
                                try names.int(
                                    eventProperties["MaximumBatchingWindowInSeconds"],
                                    at: "\(at).MaximumBatchingWindowInSeconds") ?? 0),
                            reportBatchItemFailures: types.contains("ReportBatchItemFailures"),
                            enabled: eventProperties["Enabled"] != .bool(false)))
                case "HttpApi", "Api":
                    let isHTTP = event["Type"]?.string == "HttpApi"
                    var apiID = isHTTP ? "ServerlessHttpApi" : "ServerlessRestApi"
                    if case .ref(let id)? = eventProperties["ApiId"] ?? eventProperties["RestApiId"] { apiID = id }
                    let auth = eventProperties["Auth"]
                    apiEvents.append(
                        APIEventSource(
                            format: isHTTP ? .httpAPIv2 : .restV1,
                            // An HttpApi event without a path is the API's catch-all.
                            path: eventProperties["Path"]?.string ?? (isHTTP ? "$default" : "/{proxy+}"),
                            method: eventProperties["Method"]?.string ?? "ANY", apiID: apiID,
                            authorizer: auth?["Authorizer"]?.string,
                            scopes: auth?["AuthorizationScopes"]?.list?.compactMap(\.string) ?? []))
                default:
                    continue
                }
            }
        }

        // The executable's product name: where the template says the code is, else the
        // logical id without its "Function" suffix (PublishFunction → publish).
        var candidates: [String] = []
        if let executable = resource.properties["Metadata"]?["Executable"]?.string { candidates.append(executable) }
        if let codeURI = property("CodeUri")?.string {
            var component = URL(fileURLWithPath: codeURI).lastPathComponent
            for suffix in [".zip"] where component.hasSuffix(suffix) { component.removeLast(suffix.count) }
            candidates.append(component)
        }
        if let handler = property("Handler")?.string, handler != "bootstrap" { candidates.append(handler) }
        var base = resource.logicalID
        if base.hasSuffix("Function") { base.removeLast("Function".count) }
        candidates.append(base.lowercased())

        // SAM's LoggingConfig becomes the variables Lambda sets from it.
        let logging = properties["LoggingConfig"] ?? globals["LoggingConfig"]
        if let format = logging?["LogFormat"] {
            environment["AWS_LAMBDA_LOG_FORMAT"] = try names.string(format, at: "\(path).LoggingConfig.LogFormat")
        }
        if let level = logging?["ApplicationLogLevel"] {
            environment["AWS_LAMBDA_LOG_LEVEL"] = try names.string(
                level, at: "\(path).LoggingConfig.ApplicationLogLevel")
        }

        return FunctionDefinition(
            logicalID: resource.logicalID, name: names.refs[resource.logicalID] ?? resource.logicalID,
            executableCandidates: candidates,
            timeout: .seconds(try names.int(property("Timeout"), at: "\(path).Timeout") ?? 3),
            memorySize: try names.int(property("MemorySize"), at: "\(path).MemorySize") ?? 128,
            environment: environment, sqsEvents: sqsEvents, apiEvents: apiEvents)
    }
}

extension ResolvedNames {
    /// A whole number given literally or through a parameter.
    public func int(_ value: TemplateValue?, at path: String) throws -> Int? {
        guard let value else { return nil }
        if let literal = value.int { return literal }
        let text = try string(value, at: path)
        guard let number = Int(text) else { throw TemplateError("\(path): expected a whole number, found \(text)") }
        return number
    }
}
