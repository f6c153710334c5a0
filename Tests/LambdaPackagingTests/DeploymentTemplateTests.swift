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

    // query: QueryFunction (GET /events/{id}), which lands separately; this fails until it does.
    @Test(arguments: ["publish", "process", "store", "notify", "rollup", "query"])
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

    // MARK: The template's text, one resource or output at a time

    /// The lines of `name` under `section` (`Resources:` or `Outputs:`): its `  name:` line and
    /// every line indented deeper, up to the next entry (or comment) at its own indentation.
    static func block(_ name: String, in section: String = "Resources:") -> String {
        var lines: [Substring] = []
        var inSection = false
        var inBlock = false
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first != " " {
                inSection = line == section
                inBlock = false
                continue
            }
            guard inSection else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   ") {
                inBlock = line == "  \(name):"
            }
            if inBlock { lines.append(line) }
        }
        return lines.joined(separator: "\n")
    }

    /// The logical ids of the template's resources.
    static var resourceNames: [String] {
        var names: [String] = []
        var inResources = false
        for line in template.split(separator: "\n") {
            if let first = line.first, first != " " { inResources = line == "Resources:" }
            if inResources, line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  #"), line.hasSuffix(":") {
                names.append(String(line.dropFirst(2).dropLast()))
            }
        }
        return names
    }

    /// The IAM actions (`service:Action`) a resource's text names.
    static func actions(in text: String) throws -> Set<String> {
        let action = try Regex(#"\b(dynamodb|sns|sqs|events|s3|lambda|states|logs|kms|xray):([A-Z][A-Za-z]*|\*)"#)
        return Set(text.matches(of: action).map { String(text[$0.range]) })
    }

    static func count(_ text: String, in block: String) -> Int {
        block.components(separatedBy: text).count - 1
    }

    // MARK: The web console: a private bucket behind CloudFront, CORS, Cognito's hosted UI

    @Test func webBucketIsPrivateEncryptedAndOwnerEnforced() {
        let bucket = Self.block("WebBucket")
        #expect(bucket.contains("Type: AWS::S3::Bucket"))
        for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            #expect(bucket.contains("\(setting): true"), "\(setting)")
        }
        #expect(bucket.contains("SSEAlgorithm: AES256") || bucket.contains("SSEAlgorithm: aws:kms"))
        #expect(bucket.contains("ObjectOwnership: BucketOwnerEnforced"))
        // Rebuilt from web/ by make upload-web: it goes with the stack.
        #expect(bucket.contains("DeletionPolicy: Delete"))
        // Served by CloudFront only: no website endpoint, no ACLs.
        #expect(!bucket.contains("WebsiteConfiguration"))
        #expect(!bucket.contains("AccessControl:"))
    }

    @Test func distributionReadsTheBucketThroughOriginAccessControl() {
        let control = Self.block("WebOriginAccessControl")
        #expect(control.contains("Type: AWS::CloudFront::OriginAccessControl"))
        #expect(control.contains("OriginAccessControlOriginType: s3"))
        #expect(control.contains("SigningBehavior: always"))
        #expect(control.contains("SigningProtocol: sigv4"))

        let distribution = Self.block("WebDistribution")
        #expect(distribution.contains("Type: AWS::CloudFront::Distribution"))
        #expect(distribution.contains("DomainName: !GetAtt WebBucket.RegionalDomainName"))
        #expect(distribution.contains("OriginAccessControlId: !GetAtt WebOriginAccessControl.Id"))
        #expect(distribution.contains(#"S3OriginConfig: {OriginAccessIdentity: ""}"#))
        #expect(!Self.template.contains("AWS::CloudFront::CloudFrontOriginAccessIdentity"))
        #expect(distribution.contains("DefaultRootObject: index.html"))
        #expect(distribution.contains("ViewerProtocolPolicy: redirect-to-https"))
        #expect(distribution.contains("CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6"))  // CachingOptimized
        #expect(distribution.contains("HttpVersion: http2and3"))
        #expect(distribution.contains("PriceClass: PriceClass_100"))
        #expect(distribution.contains("ResponseHeadersPolicyId: !Ref WebSecurityHeadersPolicy"))
    }

    @Test func bucketPolicyLetsOnlyTheDistributionRead() {
        let policy = Self.block("WebBucketPolicy")
        #expect(policy.contains("Type: AWS::S3::BucketPolicy"))
        #expect(policy.contains("Bucket: !Ref WebBucket"))
        #expect(Self.count("Effect: Allow", in: policy) == 1)
        #expect(policy.contains("Principal: {Service: cloudfront.amazonaws.com}"))
        #expect(policy.contains("Action: s3:GetObject\n"))
        #expect(policy.contains("Resource: !Sub ${WebBucket.Arn}/*"))
        #expect(
            policy.contains(
                "AWS:SourceArn: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}"
            ))
    }

    /// The page calls the API and Cognito from script: the CSP lets it, and nothing else.
    @Test func securityHeadersLetThePageCallTheAPIAndCognitoOnly() {
        let headers = Self.block("WebSecurityHeadersPolicy")
        #expect(headers.contains("Type: AWS::CloudFront::ResponseHeadersPolicy"))
        #expect(headers.contains("default-src 'none'; script-src 'self'; style-src 'self'"))
        #expect(headers.contains("connect-src 'self' https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}"))
        #expect(headers.contains("https://cognito-idp.${AWS::Region}.amazonaws.com"))
        #expect(headers.contains("frame-ancestors 'none'"))
        #expect(headers.contains("StrictTransportSecurity:"))
        #expect(headers.contains("ContentTypeOptions: {Override: true}"))
    }

    @Test func apiAllowsCrossOriginCallsFromTheDistributionOnly() {
        let api = Self.block("HttpApi")
        #expect(api.contains("Type: AWS::Serverless::HttpApi"))
        #expect(
            api.contains(
                "CorsConfiguration:\n        AllowOrigins:\n          - !Sub https://${WebDistribution.DomainName}\n"))
        #expect(!api.contains("'*'") && !api.contains("\"*\""))
        // What the page and publish send: the ID token, JSON, an idempotency key.
        #expect(api.contains("AllowHeaders: [authorization, content-type, idempotency-key]"))
        #expect(api.contains("AllowMethods: [GET, POST, OPTIONS]"))
        #expect(api.contains("MaxAge: "))
        // The distribution (and what it names) must not depend on the API: the API names it.
        for resource in ["WebDistribution", "WebSecurityHeadersPolicy", "WebBucket", "WebOriginAccessControl"] {
            #expect(!Self.block(resource).contains("HttpApi"), "\(resource) names the API: a circular dependency")
        }
    }

    @Test func userPoolHasAHostedUIDomainOfItsOwn() {
        let domain = Self.block("UserPoolDomain")
        #expect(domain.contains("Type: AWS::Cognito::UserPoolDomain"))
        #expect(domain.contains("UserPoolId: !Ref UserPool"))
        #expect(domain.contains("Domain: !Sub ${AWS::StackName}-${Stage}-${AWS::AccountId}"))
    }

    @Test func userPoolClientCallsBackToTheDistribution() {
        let client = Self.block("UserPoolClient")
        #expect(client.contains("AllowedOAuthFlowsUserPoolClient: true"))
        #expect(client.contains("AllowedOAuthFlows: [code]"))
        #expect(client.contains("AllowedOAuthScopes: [openid, email, profile]"))
        #expect(client.contains("SupportedIdentityProviders: [COGNITO]"))
        #expect(client.contains("CallbackURLs:\n        - !Sub https://${WebDistribution.DomainName}/"))
        #expect(client.contains("LogoutURLs:\n        - !Sub https://${WebDistribution.DomainName}/"))
        // The page signs in with InitiateAuth.
        #expect(client.contains("ALLOW_USER_PASSWORD_AUTH"))
        #expect(client.contains("GenerateSecret: false"))
    }

    @Test(arguments: [
        ("ApiUrl", "Value: !Sub https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"),
        ("UserPoolId", "Value: !Ref UserPool"),
        ("UserPoolClientId", "Value: !Ref UserPoolClient"),
        ("WebUrl", "Value: !Sub https://${WebDistribution.DomainName}"),
        ("WebBucketName", "Value: !Ref WebBucket"),
        ("WebDistributionId", "Value: !Ref WebDistribution"),
        ("UserPoolDomain", "Value: !Sub https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"),
        ("CognitoEndpoint", "Value: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/"),
    ])
    func webConsoleOutputs(_ output: String, _ value: String) {
        // make upload-web reads these into web/config.json, and the bucket and distribution.
        #expect(Self.block(output, in: "Outputs:").contains(value), "\(output)")
    }

    // MARK: Functions and their logs

    @Test func everyFunctionLogsToALogGroupOfTheTemplate() {
        let functions = Self.resourceNames.filter {
            Self.block($0).contains("Type: AWS::Serverless::Function")
        }
        #expect(functions.count >= 6)
        for function in functions {
            let block = Self.block(function)
            guard let line = block.split(separator: "\n").first(where: { $0.contains("LogGroup: !Ref ") }) else {
                Issue.record("\(function) names no log group")
                continue
            }
            let group = String(line.split(separator: " ").last ?? "")
            #expect(Self.block(group).contains("Type: AWS::Logs::LogGroup"), "\(function): \(group)")
        }
    }

    /// QueryFunction (GET /events/{id}) lands separately; this fails until it does.
    @Test func queryFunctionServesGetEventsByIdAndOnlyReads() throws {
        let query = Self.block("QueryFunction")
        #expect(query.contains("Type: AWS::Serverless::Function"))
        #expect(query.contains("Type: HttpApi"))
        #expect(query.contains("ApiId: !Ref HttpApi"))
        #expect(query.contains("Method: GET"))
        #expect(query.contains("Path: /events/{id}"))
        #expect(query.contains("LogGroup: !Ref QueryLogGroup"))
        #expect(Self.block("QueryLogGroup").contains("Type: AWS::Logs::LogGroup"))
        let actions = try Self.actions(in: query)
        #expect(!actions.isEmpty)
        #expect(actions.isSubset(of: ["dynamodb:GetItem", "dynamodb:Query"]), "\(actions.sorted())")
        #expect(!query.contains("CrudPolicy") && !query.contains("WritePolicy"))
    }
}
