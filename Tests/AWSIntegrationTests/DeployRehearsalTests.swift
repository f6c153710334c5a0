import Foundation
import TestSupport
import Testing

/// The SAM template deployed to the CloudFormation engine the tests run against
/// (scripts/deploy-rehearsal.py): transformed by aws-sam-translator, the zips uploaded to S3
/// (placeholders where `make package` has not built dist/, since moto never runs them), the
/// stack created and every resource checked.
@Suite struct DeployRehearsalTests {
    /// What moto 5.2.1's CloudFormation does not create; README lists the same types. A type
    /// appearing here or leaving it is a change the test should make someone look at.
    static let motoLacks: Set<String> = [
        "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::ResponseHeadersPolicy", "AWS::CloudWatch::Alarm",
        "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain",
        "AWS::Logs::QueryDefinition", "AWS::S3::BucketPolicy", "AWS::SNS::Subscription", "AWS::SQS::QueuePolicy",
    ]

    @Test func theTemplateDeploysToCreateComplete() throws {
        _ = try Endpoint.configuration()
        let stack = Endpoint.uniqueName("rehearsal")
        let result = try run(
            [
                "/usr/bin/env", "python3", repositoryRoot.appendingPathComponent("scripts/deploy-rehearsal.py").path,
                "--stack-name", stack, "--bucket", "\(stack)-artifacts",
            ], environment: Endpoint.environment)
        #expect(result.status == 0, "\(result.output)")
        let summaryLine = try #require(result.stdout.split(separator: "\n").last, "\(result.output)")
        let summary = try #require(jsonObject(Array(summaryLine.utf8)), "\(summaryLine)")
        #expect(summary["status"] as? String == "CREATE_COMPLETE")
        #expect((summary["failed"] as? [String])?.isEmpty == true)
        let lacking = (summary["motoLacks"] as? [String: [String]]) ?? [:]
        #expect(Set(lacking.keys) == Self.motoLacks, "moto's gaps changed: \(lacking.keys.sorted())")
        let resources = try #require(summary["resources"] as? Int)
        let created = try #require(summary["created"] as? Int)
        // Every resource is either created or of a type moto lacks: nothing dropped silently.
        #expect(created + lacking.values.map(\.count).reduce(0, +) == resources)
        #expect(created > 30)
        // Say which code went up, so a reader knows whether the real zips were uploaded.
        let placeholders = result.stdout.split(separator: "\n").filter { $0.contains("placeholder (") }
        print("deploy rehearsal: \(placeholders.count) of the zips were placeholders (dist/ not built)")
    }
}
