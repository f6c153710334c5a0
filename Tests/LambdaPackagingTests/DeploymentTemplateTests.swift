import Foundation
import LambdaEvents
import TestSupport
import Testing

/// The state machine hands publish, process and notify payloads it builds itself; these
/// tests render them the way Step Functions would and decode them with the same models the
/// bootstraps decode with, so a shape the functions would refuse fails here, not in AWS.
@Suite struct StateMachineTests {
    static let definitionPath = "functions/statemachine/publish-and-fan-out.asl.json"
    static let event = #"{"specversion":"1.0","id":"evt-1","source":"urn:test","type":"order.failed","data":{"n":1}}"#

    /// The value of each path or intrinsic the definition uses. An expression not listed
    /// here fails the test, so a new one gets a rendering (and a decode) before it ships.
    static let expressions: [String: String] = [
        "States.JsonToString($.event)": event,
        "States.Hash(States.JsonToString($.event), 'MD5')": "0123456789abcdef0123456789abcdef",
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Id, ':'), 3)": "us-east-1",
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Id, ':'), 4)": "123456789012",
        "$$.Execution.Name": "execution-1",
        "$$.Execution.StartTime": "2026-11-23T09:30:00.123Z",
        "$$.StateMachine.Id": "arn:aws:states:us-east-1:123456789012:stateMachine:publish-and-fan-out",
    ]

    static func render(_ template: Any) throws -> Any {
        if let object = template as? [String: Any] {
            var rendered: [String: Any] = [:]
            for (key, value) in object {
                if key.hasSuffix(".$") {
                    let expression = try #require(value as? String)
                    rendered[String(key.dropLast(2))] = try #require(
                        expressions[expression], "no rendering for \(expression)")
                } else {
                    rendered[key] = try render(value)
                }
            }
            return rendered
        }
        if let array = template as? [Any] { return try array.map(render) }
        return template
    }

    static func states() throws -> [String: Any] {
        let definition =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: definitionPath)))
            as? [String: Any]
        let states = definition?["States"] as? [String: Any]
        return try #require(states)
    }

    static func payload(_ state: [String: Any]) throws -> Data {
        let parameters = try #require(state["Parameters"] as? [String: Any])
        let template = try #require(parameters["Payload"])
        return try JSONSerialization.data(withJSONObject: try render(template))
    }

    @Test func publishGetsAnHTTPAPIRequestCarryingTheEvent() throws {
        let publish = try #require(try Self.states()["Publish"] as? [String: Any])
        let request = try JSONDecoder().decode(APIGatewayV2Request.self, from: try Self.payload(publish))
        #expect(request.requestContext.http.method == "POST")
        #expect(request.rawPath == "/events")
        #expect(request.body == Self.event)
    }

    @Test func bothBranchesGetAnSQSBatchOfTheEvent() throws {
        let parallel = try #require(Self.states()["ProcessAndNotify"] as? [String: Any])
        #expect(parallel["Type"] as? String == "Parallel")
        let branches = try #require(parallel["Branches"] as? [[String: Any]])
        var invoked: [String] = []
        for branch in branches {
            let states = try #require(branch["States"] as? [String: Any])
            let start = try #require(branch["StartAt"] as? String)
            let task = try #require(states[start] as? [String: Any])
            let parameters = try #require(task["Parameters"] as? [String: Any])
            invoked.append(try #require(parameters["FunctionName"] as? String))
            let batch = try JSONDecoder().decode(SQSEvent.self, from: try Self.payload(task))
            #expect(batch.records.map(\.body) == [Self.event])
            #expect(batch.records.first?.messageID == "execution-1")
        }
        #expect(invoked.sorted() == ["${NotifyFunctionArn}", "${ProcessFunctionArn}"])
    }
}

/// The names the template gives the functions are the contract's (CONTRACT.md).
@Suite struct TemplateContractTests {
    static let template = (try? String(contentsOfFile: "functions/template.yaml", encoding: .utf8)) ?? ""

    @Test(arguments: [
        "TOPIC_ARN:", "EVENT_BUS_NAME:", "IDEMPOTENCY_TABLE:", "EVENTS_TABLE:", "AUDIT_TABLE:", "RETENTION_DAYS:",
        "NOTIFICATIONS_TOPIC_ARN:", "NOTIFY_TYPES:",
    ])
    func everyContractVariableIsSet(_ variable: String) {
        #expect(Self.template.contains(" \(variable) "))
    }

    @Test(arguments: ["publish", "process", "store", "notify", "rollup"])
    func everyFunctionDeploysItsZip(_ function: String) {
        #expect(Self.template.contains("CodeUri: ../dist/\(function).zip"))
    }

    @Test func everyEventSourceMappingReportsBatchItemFailures() {
        let mappings = Self.template.components(separatedBy: "Type: SQS\n").count - 1
        let reporting =
            Self.template.components(separatedBy: "FunctionResponseTypes: [ReportBatchItemFailures]").count - 1
        #expect(mappings == 5)
        #expect(reporting == mappings)
    }

    @Test func everyTableHasTTLOnExpiresAt() {
        let tables = Self.template.components(separatedBy: "Type: AWS::DynamoDB::Table").count - 1
        let ttl =
            Self.template.components(separatedBy: "TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}")
            .count - 1
        #expect(tables == 3)
        #expect(ttl == tables)
    }
}
