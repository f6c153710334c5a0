import Foundation
import Testing

@testable import LocalPipeline

/// What the template must hold for production, resource by resource: every function logged
/// with retention, traced and alarmed; every queue alarmed on its age or, as a DLQ, on what
/// waits in it; every SNS subscription and every EventBridge target dead-lettered, with the
/// policy that lets SNS or EventBridge deliver there; the stage in every name. Each check
/// walks all resources of its type, so a resource added later without them fails here.
@Suite struct ProductionTemplateTests {
    static let template: CloudFormationTemplate = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../functions/template.yaml"
        ).standardizedFileURL.path
        return try! CloudFormationTemplate(contentsOf: path)
    }()

    static func resources(_ type: String) -> [TemplateResource] { template.resources(ofType: type) }

    /// Alarms by metric name, each with the values its dimensions name.
    static func alarms(_ metric: String) -> [TemplateValue] {
        resources("AWS::CloudWatch::Alarm").compactMap { alarm in
            guard alarm.properties["MetricName"]?.string == metric else { return nil }
            return alarm.properties["Dimensions"]?.list?.first?["Value"]
        }
    }

    /// Who a queue policy lets send to its queues: (queues, principal, source ARNs).
    static func grants() -> [(queues: [TemplateValue], service: String, sources: [TemplateValue])] {
        resources("AWS::SQS::QueuePolicy").flatMap { policy in
            let queues = policy.properties["Queues"]?.list ?? []
            return (policy.properties["PolicyDocument"]?["Statement"]?.list ?? []).map { statement in
                let source = statement["Condition"]?["ArnEquals"]?["aws:SourceArn"]
                return (
                    queues, statement["Principal"]?["Service"]?.string ?? "",
                    source?.list ?? (source.map { [$0] } ?? [])
                )
            }
        }
    }

    static func allows(_ service: String, from source: TemplateValue, toQueue logicalID: String) -> Bool {
        grants().contains { grant in
            grant.service == service && grant.queues.contains(.ref(logicalID)) && grant.sources.contains(source)
        }
    }

    @Test func everyFunctionIsLoggedWithRetentionTracedAndAlarmed() throws {
        let functions = Self.resources("AWS::Serverless::Function")
        #expect(functions.count == 7)
        #expect(Self.template.functionGlobals["Tracing"]?.string == "Active")
        #expect(
            Self.template.functionGlobals["Environment"]?["Variables"]?["METRICS_NAMESPACE"] == .ref("MetricsNamespace")
        )
        for function in functions {
            let group = try #require(
                function.properties["LoggingConfig"]?["LogGroup"], "\(function.logicalID) has no log group of its own")
            guard case .ref(let groupID) = group else {
                Issue.record("\(function.logicalID): LogGroup is not a Ref")
                continue
            }
            let logGroup = try #require(Self.template.resource(groupID))
            #expect(logGroup.type == "AWS::Logs::LogGroup")
            #expect(logGroup.properties["RetentionInDays"] == .ref("LogRetentionDays"))
            for metric in ["Errors", "Throttles"] {
                #expect(
                    Self.alarms(metric).contains(.ref(function.logicalID)),
                    "\(function.logicalID) has no \(metric) alarm")
            }
            // Its log group is in every saved query.
            for query in Self.resources("AWS::Logs::QueryDefinition") {
                #expect(query.properties["LogGroupNames"]?.list?.contains(group) == true)
                #expect(query.properties["QueryString"]?.string?.contains("correlationId") == true)
            }
        }
        #expect(Self.resources("AWS::Logs::QueryDefinition").count >= 1)
    }

    @Test func everyQueueIsAlarmedOnAgeOrAsADeadLetterQueueOnWhatWaits() {
        for queue in Self.resources("AWS::SQS::Queue") {
            let name = TemplateValue.getAtt(resource: queue.logicalID, attribute: "QueueName")
            if queue.properties["RedrivePolicy"] != nil {
                #expect(Self.alarms("ApproximateAgeOfOldestMessage").contains(name), "\(queue.logicalID): no age alarm")
            } else {
                #expect(
                    Self.alarms("ApproximateNumberOfMessagesVisible").contains(name),
                    "\(queue.logicalID): a DLQ without an alarm")
            }
        }
        #expect(Self.alarms("5xx") == [.ref("HttpApi")])
        #expect(Self.alarms("ExecutionsFailed") == [.ref("PublishAndFanOutStateMachine")])
    }

    @Test func everySubscriptionDeadLettersWhereSNSMaySend() throws {
        let subscriptions = Self.resources("AWS::SNS::Subscription")
        #expect(!subscriptions.isEmpty)
        for subscription in subscriptions {
            let target = try #require(
                subscription.properties["RedrivePolicy"]?["deadLetterTargetArn"],
                "\(subscription.logicalID) has no RedrivePolicy")
            guard case .getAtt(let dlq, "Arn") = target, let topic = subscription.properties["TopicArn"] else {
                Issue.record("\(subscription.logicalID): the DLQ is not a queue of the template")
                continue
            }
            #expect(Self.allows("sns.amazonaws.com", from: topic, toQueue: dlq), "SNS may not send to \(dlq)")
            // FIFO topics need FIFO dead-letter queues.
            let fifoTopic = Self.template.resource(topic.refName ?? "")?.properties["FifoTopic"] == .bool(true)
            let fifoQueue = Self.template.resource(dlq)?.properties["FifoQueue"] == .bool(true)
            #expect(fifoTopic == fifoQueue, "\(subscription.logicalID): FIFO topic \(fifoTopic), FIFO DLQ \(fifoQueue)")
        }
    }

    @Test func everyRuleTargetRetriesDeadLettersAndMayDeliver() throws {
        let rules = Self.resources("AWS::Events::Rule")
        #expect(rules.count == 4)
        for rule in rules {
            let ruleARN = TemplateValue.getAtt(resource: rule.logicalID, attribute: "Arn")
            for target in rule.properties["Targets"]?.list ?? [] {
                #expect(target["RetryPolicy"]?["MaximumRetryAttempts"] != nil, "\(rule.logicalID): no RetryPolicy")
                #expect(target["RetryPolicy"]?["MaximumEventAgeInSeconds"] != nil)
                let dlq = try #require(target["DeadLetterConfig"]?["Arn"], "\(rule.logicalID): no DeadLetterConfig")
                guard case .getAtt(let dlqID, "Arn") = dlq, case .getAtt(let queueID, "Arn")? = target["Arn"] else {
                    Issue.record("\(rule.logicalID): a target or DLQ that is not a queue of the template")
                    continue
                }
                #expect(
                    Self.allows("events.amazonaws.com", from: ruleARN, toQueue: queueID),
                    "\(rule.logicalID) -> \(queueID)")
                #expect(
                    Self.allows("events.amazonaws.com", from: ruleARN, toQueue: dlqID), "\(rule.logicalID) -> \(dlqID)")
            }
        }
    }

    /// Seed 004: what publish puts on the bus reaches process, which SNS no longer feeds
    /// (one path, so process does each event once), and rollup's summaries are not recounted.
    @Test func theBusFansOutToProcessAndTheScheduleToRollup() throws {
        let process = try #require(Self.template.resource("ProcessRule"))
        #expect(process.properties["EventBusName"] == .ref("EventBus"))
        #expect(
            process.properties["Targets"]?.list?.first?["Arn"] == .getAtt(resource: "ProcessQueue", attribute: "Arn"))
        #expect(
            process.properties["EventPattern"]?["source"]?.list?.first?["anything-but"]?.list
                == [.string("urn:event-pipeline:rollup")])
        #expect(
            !Self.resources("AWS::SNS::Subscription").contains {
                $0.properties["Endpoint"] == .getAtt(resource: "ProcessQueue", attribute: "Arn")
            })
        let schedule = try #require(Self.template.resource("RollupSchedule"))
        #expect(schedule.properties["ScheduleExpression"]?.string == "rate(1 minute)")
        #expect(
            schedule.properties["Targets"]?.list?.first?["Arn"] == .getAtt(resource: "RollupQueue", attribute: "Arn"))
        let rollup = try #require(Self.template.resource("RollupFunction"))
        #expect(
            rollup.properties["Events"]?["Schedule"]?["Properties"]?["Queue"]
                == .getAtt(resource: "RollupQueue", attribute: "Arn"))
        let index = try #require(
            Self.template.resource("EventsTable")?.properties["GlobalSecondaryIndexes"]?.list?.first)
        #expect(index["IndexName"]?.string == "CountersByMinute")
    }

    @Test func capacityControls() throws {
        var mappings = 0
        for function in Self.resources("AWS::Serverless::Function") {
            guard case .map(let events)? = function.properties["Events"] else { continue }
            for (name, event) in events where event["Type"]?.string == "SQS" {
                mappings += 1
                #expect(
                    event["Properties"]?["ScalingConfig"]?["MaximumConcurrency"] != nil,
                    "\(function.logicalID).\(name) has no MaximumConcurrency")
            }
        }
        #expect(mappings == 5)
        let publish = try #require(Self.template.resource("PublishFunction"))
        #expect(publish.properties["AutoPublishAlias"]?.string == "live")
        #expect(publish.properties["ProvisionedConcurrencyConfig"] != nil)
        #expect(Self.template.resource("RollupFunction")?.properties["ReservedConcurrentExecutions"]?.int == 1)
    }

    /// Seeds 002 and 004: a dev and a prod stack never collide on a name.
    @Test func everyNameTheTemplateSetsCarriesTheStage() {
        #expect(Self.template.parameters["Stage"] == .string("dev"))
        let nameProperties = ["QueueName", "TopicName", "FunctionName", "LogGroupName", "DashboardName", "Name"]
        var named = 0
        for resource in Self.template.resources {
            for property in nameProperties {
                guard let value = resource.properties[property] else { continue }
                // A rule's or a query's Name is a label, but it carries the stage too.
                named += 1
                guard case .sub(let text, _) = value else {
                    Issue.record("\(resource.logicalID).\(property) is not a !Sub with the stage")
                    continue
                }
                #expect(text.contains("${Stage}"), "\(resource.logicalID).\(property): \(text)")
            }
        }
        #expect(named >= 25)
    }

    @Test func theDashboardShowsEveryFunctionAndTheBusinessCounts() throws {
        let dashboard = try #require(Self.resources("AWS::CloudWatch::Dashboard").first)
        guard case .sub(let body, _)? = dashboard.properties["DashboardBody"] else {
            Issue.record("DashboardBody is not a !Sub")
            return
        }
        let json = body.replacingOccurrences(of: #"\$\{[^}]+\}"#, with: "x", options: .regularExpression)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["widgets"] as? [Any])?.count == 8)
        for suffix in ["publish", "publish-ordered", "process", "store", "notify", "rollup"] {
            #expect(body.contains("${AWS::StackName}-${Stage}-\(suffix)\""), "\(suffix) is not on the dashboard")
        }
        for metric in ["Published", "Processed", "Stored", "Notified", "Duplicates", "Failed", "ColdStart"] {
            #expect(body.contains(#"MetricName=\"\#(metric)\""#), "\(metric) is not on the dashboard")
        }
    }
}

extension TemplateValue {
    fileprivate var refName: String? { if case .ref(let name) = self { name } else { nil } }
}
