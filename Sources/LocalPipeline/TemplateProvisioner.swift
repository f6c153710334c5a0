import AWSCore
import Foundation
import LambdaEvents

/// A queue as provisioned.
public struct ProvisionedQueue: Sendable, Equatable {
    public var logicalID: String
    public var name: String
    public var url: String
    public var arn: String
    /// From the redrive policy: where messages go after `maxReceiveCount` receives.
    public var deadLetterTargetARN: String?
    public var maxReceiveCount: Int?
}

/// What `pipeline up` created.
public struct ProvisionedStack: Sendable {
    public var stackName: String
    public var names: ResolvedNames
    public var queues: [ProvisionedQueue]
    public var topics: [String: String]
    public var tables: [String: String]
    public var eventBuses: [String: String]
    public var userPools: [ProvisionedUserPool] = []
    /// User pool clients' ids, by logical id.
    public var userPoolClients: [String: String] = [:]
    public var functions: [FunctionDefinition]
    /// The APIs the functions' events declare, with their routes and authorizers.
    public var apis: [APIDefinition] = []
    /// Rules with a `ScheduleExpression`: `PipelineRunner` fires them (EventBridge's local
    /// stand-in does not).
    public var schedules: [ScheduledRule] = []
    /// Resource types the template declares that have no local meaning (IAM, policies) or no
    /// support here; listed so a user sees what was not created.
    public var skipped: [String]

    public func queue(arn: String) -> ProvisionedQueue? { queues.first { $0.arn == arn } }
    public func queue(logicalID: String) -> ProvisionedQueue? { queues.first { $0.logicalID == logicalID } }
}

/// Creates a template's queues (with their redrive policies), topics and filtered
/// subscriptions, event buses and rules, and tables in an AWS-compatible endpoint, and
/// resolves every `!Ref`, `!GetAtt` and `!Sub` the functions' configuration uses.
public struct TemplateProvisioner: Sendable {
    public let admin: AWSAdmin
    public let stackName: String
    public let accountID: String

    public init(admin: AWSAdmin, stackName: String = "local", accountID: String = "123456789012") {
        self.admin = admin
        self.stackName = stackName
        self.accountID = accountID
    }

    public func provision(_ template: CloudFormationTemplate) async throws -> ProvisionedStack {
        let region = admin.configuration.region
        var names = ResolvedNames()
        names.refs["AWS::Region"] = region
        names.refs["AWS::AccountId"] = accountID
        names.refs["AWS::StackName"] = stackName
        names.refs["AWS::Partition"] = "aws"
        names.refs["AWS::URLSuffix"] = "amazonaws.com"
        for (name, fallback) in template.parameters {
            names.refs[name] = try names.string(fallback, at: "Parameters.\(name).Default")
        }
        var stack = ProvisionedStack(
            stackName: stackName, names: names, queues: [], topics: [:], tables: [:], eventBuses: [:], functions: [],
            skipped: [])
        // Function names first: environment variables and targets may name functions.
        for function in template.resources(ofType: "AWS::Serverless::Function") {
            let name =
                try function.properties["FunctionName"].map {
                    try stack.names.string($0, at: "\(function.logicalID).FunctionName")
                }
                ?? "\(stackName)-\(function.logicalID)"
            stack.names.refs[function.logicalID] = name
            stack.names.attributes["\(function.logicalID).Arn"] =
                "arn:aws:lambda:\(region):\(accountID):function:\(name)"
        }

        try await provisionTables(template, into: &stack)
        try await provisionQueues(template, into: &stack)
        try await provisionTopics(template, into: &stack)
        try await provisionEventBuses(template, into: &stack)
        try await provisionUserPools(template, into: &stack)
        stack.functions = try template.functions(names: stack.names)
        stack.apis = try template.apis(functions: stack.functions, names: stack.names)
        // An API's id: `https://<id>.execute-api...` in an output becomes the local API's URL.
        for api in stack.apis { stack.names.refs[api.logicalID] = api.logicalID.lowercased() }

        let handled: Set<String> = [
            "AWS::Serverless::Function", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::SQS::Queue",
            "AWS::SNS::Topic",
            "AWS::SNS::Subscription", "AWS::Events::EventBus", "AWS::Events::Rule", "AWS::Cognito::UserPool",
            "AWS::Cognito::UserPoolClient", "AWS::Serverless::HttpApi",
        ]
        stack.skipped =
            template.resources.filter { !handled.contains($0.type) }.map { "\($0.logicalID) (\($0.type))" }
            + stack.skipped
        return stack
    }

    // MARK: Tables

    private func provisionTables(_ template: CloudFormationTemplate, into stack: inout ProvisionedStack) async throws {
        for table in template.resources(ofType: "AWS::DynamoDB::Table") {
            let path = table.logicalID
            let properties = table.properties
            let name =
                try properties["TableName"].map { try stack.names.string($0, at: "\(path).TableName") }
                ?? "\(stackName)-\(table.logicalID)"
            var definition = try stack.names.resolve(
                [
                    "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
                    "StreamSpecification", "ProvisionedThroughput",
                ], of: table)
            definition["BillingMode"] = .string(
                properties["BillingMode"]?.string
                    ?? (definition["ProvisionedThroughput"] == nil ? "PAY_PER_REQUEST" : "PROVISIONED"))
            var ttl: String?
            if let specification = properties["TimeToLiveSpecification"], specification["Enabled"] != .bool(false) {
                ttl = specification["AttributeName"]?.string
            }
            let arn = try await admin.createTable(name: name, definition: .object(definition), ttlAttribute: ttl)
            stack.tables[table.logicalID] = name
            stack.names.refs[table.logicalID] = name
            stack.names.attributes["\(table.logicalID).Arn"] = arn
        }
        for table in template.resources(ofType: "AWS::Serverless::SimpleTable") {
            let properties = table.properties
            let name =
                try properties["TableName"].map { try stack.names.string($0, at: "\(table.logicalID).TableName") }
                ?? "\(stackName)-\(table.logicalID)"
            let key = properties["PrimaryKey"]?["Name"]?.string ?? "id"
            let type =
                (properties["PrimaryKey"]?["Type"]?.string ?? "String") == "Number"
                ? "N" : (properties["PrimaryKey"]?["Type"]?.string == "Binary" ? "B" : "S")
            let definition: JSONValue = .object([
                "AttributeDefinitions": .array([
                    .object(["AttributeName": .string(key), "AttributeType": .string(type)])
                ]),
                "KeySchema": .array([.object(["AttributeName": .string(key), "KeyType": .string("HASH")])]),
                "BillingMode": .string("PAY_PER_REQUEST"),
            ])
            let arn = try await admin.createTable(name: name, definition: definition, ttlAttribute: nil)
            stack.tables[table.logicalID] = name
            stack.names.refs[table.logicalID] = name
            stack.names.attributes["\(table.logicalID).Arn"] = arn
        }
    }

    // MARK: User pools

    /// CreateUserPool's and CreateUserPoolClient's members the template may set; the rest (a
    /// client's callback URLs, which name the CloudFront distribution) mean nothing locally.
    static let userPoolMembers = [
        "Policies", "UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "MfaConfiguration",
        "UsernameConfiguration", "Schema", "AdminCreateUserConfig",
    ]
    static let userPoolClientMembers = [
        "ExplicitAuthFlows", "GenerateSecret", "PreventUserExistenceErrors", "AccessTokenValidity", "IdTokenValidity",
        "RefreshTokenValidity", "TokenValidityUnits", "ReadAttributes", "WriteAttributes",
    ]

    private func provisionUserPools(_ template: CloudFormationTemplate, into stack: inout ProvisionedStack) async throws
    {
        let region = admin.configuration.region
        for pool in template.resources(ofType: "AWS::Cognito::UserPool") {
            let path = pool.logicalID
            let name =
                try pool.properties["UserPoolName"].map { try stack.names.string($0, at: "\(path).UserPoolName") }
                ?? "\(stackName)-\(pool.logicalID)"
            let definition = try stack.names.resolve(Self.userPoolMembers, of: pool)
            let (id, arn) = try await admin.createUserPool(name: name, definition: definition)
            let providerURL = "https://cognito-idp.\(region).amazonaws.com/\(id)"
            stack.userPools.append(
                ProvisionedUserPool(logicalID: pool.logicalID, id: id, arn: arn, providerURL: providerURL))
            stack.names.refs[pool.logicalID] = id
            stack.names.attributes["\(pool.logicalID).Arn"] = arn
            stack.names.attributes["\(pool.logicalID).ProviderURL"] = providerURL
            stack.names.attributes["\(pool.logicalID).ProviderName"] = "cognito-idp.\(region).amazonaws.com/\(id)"
            stack.names.attributes["\(pool.logicalID).UserPoolId"] = id
        }
        for client in template.resources(ofType: "AWS::Cognito::UserPoolClient") {
            let path = client.logicalID
            let poolID = try stack.names.string(client.properties["UserPoolId"] ?? .null, at: "\(path).UserPoolId")
            let name =
                try client.properties["ClientName"].map { try stack.names.string($0, at: "\(path).ClientName") }
                ?? "\(stackName)-\(client.logicalID)"
            let definition = try stack.names.resolve(Self.userPoolClientMembers, of: client)
            let id = try await admin.createUserPoolClient(poolID: poolID, name: name, definition: definition)
            stack.userPoolClients[client.logicalID] = id
            stack.names.refs[client.logicalID] = id
            stack.names.attributes["\(client.logicalID).ClientId"] = id
        }
    }

    // MARK: Queues

    static let queueAttributeNames = [
        "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit", "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
    ]

    private func provisionQueues(_ template: CloudFormationTemplate, into stack: inout ProvisionedStack) async throws {
        // Dead-letter queues must exist before the queues whose redrive policy names them.
        var pending = template.resources(ofType: "AWS::SQS::Queue")
        while !pending.isEmpty {
            var progressed = false
            for queue in pending {
                let redrive = queue.properties["RedrivePolicy"]
                if let redrive, case .getAtt(let target, _)? = redrive["deadLetterTargetArn"],
                    stack.queue(logicalID: target) == nil
                {
                    continue
                }
                try await provisionQueue(queue, redrive: redrive, into: &stack)
                pending.removeAll { $0.logicalID == queue.logicalID }
                progressed = true
            }
            guard progressed else {
                throw TemplateError(
                    "the redrive policies of \(pending.map(\.logicalID).joined(separator: ", ")) name queues that are not in the template, or form a cycle"
                )
            }
        }
    }

    private func provisionQueue(_ queue: TemplateResource, redrive: TemplateValue?, into stack: inout ProvisionedStack)
        async throws
    {
        let path = queue.logicalID
        let properties = queue.properties
        let fifo = properties["FifoQueue"] == .bool(true) || properties["FifoQueue"]?.string == "true"
        let name =
            try properties["QueueName"].map { try stack.names.string($0, at: "\(path).QueueName") }
            ?? "\(stackName)-\(queue.logicalID)\(fifo ? ".fifo" : "")"
        var attributes: [String: String] = [:]
        for key in Self.queueAttributeNames {
            if let value = properties[key] { attributes[key] = try stack.names.string(value, at: "\(path).\(key)") }
        }
        var deadLetterTarget: String?
        var maxReceiveCount: Int?
        if let redrive {
            let resolved = try stack.names.resolve(redrive, at: "\(path).RedrivePolicy")
            if case .string(let target)? = resolved["deadLetterTargetArn"] { deadLetterTarget = target }
            switch resolved["maxReceiveCount"] {
            case .integer(let count)?: maxReceiveCount = Int(count)
            case .string(let text)?: maxReceiveCount = Int(text)
            default: break
            }
            guard let deadLetterTarget, let maxReceiveCount else {
                throw TemplateError("\(path).RedrivePolicy needs deadLetterTargetArn and maxReceiveCount")
            }
            attributes["RedrivePolicy"] =
                #"{"deadLetterTargetArn":"\#(deadLetterTarget)","maxReceiveCount":\#(maxReceiveCount)}"#
        }
        let url = try await admin.createQueue(name: name, attributes: attributes)
        let arn =
            try await admin.queueAttributes(url: url, names: ["QueueArn"])["QueueArn"]
            ?? "arn:aws:sqs:\(admin.configuration.region):\(accountID):\(name)"
        stack.queues.append(
            ProvisionedQueue(
                logicalID: queue.logicalID, name: name, url: url, arn: arn, deadLetterTargetARN: deadLetterTarget,
                maxReceiveCount: maxReceiveCount))
        stack.names.refs[queue.logicalID] = url
        stack.names.attributes["\(queue.logicalID).Arn"] = arn
        stack.names.attributes["\(queue.logicalID).QueueName"] = name
        stack.names.attributes["\(queue.logicalID).QueueUrl"] = url
    }

    // MARK: Topics and subscriptions

    private func provisionTopics(_ template: CloudFormationTemplate, into stack: inout ProvisionedStack) async throws {
        for topic in template.resources(ofType: "AWS::SNS::Topic") {
            let path = topic.logicalID
            let properties = topic.properties
            let fifo = properties["FifoTopic"] == .bool(true) || properties["FifoTopic"]?.string == "true"
            let name =
                try properties["TopicName"].map { try stack.names.string($0, at: "\(path).TopicName") }
                ?? "\(stackName)-\(topic.logicalID)\(fifo ? ".fifo" : "")"
            var attributes: [String: String] = [:]
            if fifo { attributes["FifoTopic"] = "true" }
            if let content = properties["ContentBasedDeduplication"] {
                attributes["ContentBasedDeduplication"] = try stack.names.string(
                    content, at: "\(path).ContentBasedDeduplication")
            }
            let arn = try await admin.createTopic(name: name, attributes: attributes)
            stack.topics[topic.logicalID] = arn
            stack.names.refs[topic.logicalID] = arn
            stack.names.attributes["\(topic.logicalID).TopicArn"] = arn
            stack.names.attributes["\(topic.logicalID).TopicName"] = name
            // Inline subscriptions: [{Endpoint, Protocol}].
            for (index, subscription) in (properties["Subscription"]?.list ?? []).enumerated() {
                let at = "\(path).Subscription[\(index)]"
                _ = try await admin.subscribe(
                    topicARN: arn,
                    protocol: try stack.names.string(subscription["Protocol"] ?? .null, at: "\(at).Protocol"),
                    endpoint: try stack.names.string(subscription["Endpoint"] ?? .null, at: "\(at).Endpoint"),
                    attributes: [:])
            }
        }
        for subscription in template.resources(ofType: "AWS::SNS::Subscription") {
            let path = subscription.logicalID
            let properties = subscription.properties
            let topicARN = try stack.names.string(properties["TopicArn"] ?? .null, at: "\(path).TopicArn")
            let scheme = try stack.names.string(properties["Protocol"] ?? .null, at: "\(path).Protocol")
            let endpoint = try stack.names.string(properties["Endpoint"] ?? .null, at: "\(path).Endpoint")
            var attributes: [String: String] = [:]
            if let filter = properties["FilterPolicy"] {
                attributes["FilterPolicy"] = try jsonText(filter, names: stack.names, at: "\(path).FilterPolicy")
            }
            if let scope = properties["FilterPolicyScope"] {
                attributes["FilterPolicyScope"] = try stack.names.string(scope, at: "\(path).FilterPolicyScope")
            }
            if let raw = properties["RawMessageDelivery"] {
                attributes["RawMessageDelivery"] = try stack.names.string(raw, at: "\(path).RawMessageDelivery")
            }
            if let redrive = properties["RedrivePolicy"] {
                attributes["RedrivePolicy"] = try jsonText(redrive, names: stack.names, at: "\(path).RedrivePolicy")
            }
            let arn = try await admin.subscribe(
                topicARN: topicARN, protocol: scheme, endpoint: endpoint, attributes: attributes)
            stack.names.refs[subscription.logicalID] = arn
        }
    }

    // MARK: Event buses and rules

    private func provisionEventBuses(_ template: CloudFormationTemplate, into stack: inout ProvisionedStack)
        async throws
    {
        for bus in template.resources(ofType: "AWS::Events::EventBus") {
            let name = try stack.names.string(
                bus.properties["Name"] ?? .string("\(stackName)-\(bus.logicalID)"), at: "\(bus.logicalID).Name")
            let arn = try await admin.createEventBus(name: name)
            stack.eventBuses[bus.logicalID] = name
            stack.names.refs[bus.logicalID] = name
            stack.names.attributes["\(bus.logicalID).Arn"] = arn
            stack.names.attributes["\(bus.logicalID).Name"] = name
        }
        for rule in template.resources(ofType: "AWS::Events::Rule") {
            let path = rule.logicalID
            let properties = rule.properties
            guard properties["State"]?.string ?? "ENABLED" == "ENABLED" else { continue }
            let name =
                try properties["Name"].map { try stack.names.string($0, at: "\(path).Name") }
                ?? "\(stackName)-\(rule.logicalID)"
            if let expression = properties["ScheduleExpression"] {
                let text = try stack.names.string(expression, at: "\(path).ScheduleExpression")
                let targets = try (properties["Targets"]?.list ?? []).enumerated().map { index, target in
                    try stack.names.string(target["Arn"] ?? .null, at: "\(path).Targets[\(index)].Arn")
                }
                let arn = "arn:aws:events:\(admin.configuration.region):\(accountID):rule/\(name)"
                do {
                    stack.schedules.append(
                        ScheduledRule(
                            logicalID: rule.logicalID, name: name, arn: arn, expression: text,
                            schedule: try Schedule(parsing: text), targetARNs: targets))
                } catch {
                    stack.skipped.append("\(path) (\(error))")
                }
                stack.names.refs[rule.logicalID] = name
                stack.names.attributes["\(rule.logicalID).Arn"] = arn
                continue
            }
            guard let pattern = properties["EventPattern"] else {
                stack.skipped.append("\(path) (a rule with neither EventPattern nor ScheduleExpression)")
                continue
            }
            // A bus given by ARN is addressed by its name.
            var bus =
                try properties["EventBusName"].map { try stack.names.string($0, at: "\(path).EventBusName") }
                ?? "default"
            if bus.hasPrefix("arn:"), let last = bus.split(separator: "/").last { bus = String(last) }
            let arn = try await admin.putRule(
                name: name, eventBusName: bus,
                eventPattern: try jsonText(pattern, names: stack.names, at: "\(path).EventPattern"))
            let targets = try (properties["Targets"]?.list ?? []).enumerated().map { index, target in
                (
                    id: try stack.names.string(
                        target["Id"] ?? .string("Target\(index)"), at: "\(path).Targets[\(index)].Id"),
                    arn: try stack.names.string(target["Arn"] ?? .null, at: "\(path).Targets[\(index)].Arn")
                )
            }
            if !targets.isEmpty { try await admin.putTargets(rule: name, eventBusName: bus, targets: targets) }
            stack.names.refs[rule.logicalID] = name
            stack.names.attributes["\(rule.logicalID).Arn"] = arn
        }
    }

    /// A policy or pattern written as YAML in the template, or as a JSON string: its JSON text.
    private func jsonText(_ value: TemplateValue, names: ResolvedNames, at path: String) throws -> String {
        if case .string = value { return try names.string(value, at: path) }
        let resolved = try names.resolve(value, at: path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(resolved), as: UTF8.self)
    }
}
