import LambdaHTTP
import TestSupport
import Testing

@testable import AWSCore

@Suite struct ConfigurationTests {
    let lambdaEnvironment = [
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value", "AWS_SESSION_TOKEN": "t0ken-value",
    ]

    @Test func readsWhatLambdaGivesAFunction() throws {
        let configuration = try AWSConfiguration(environment: lambdaEnvironment)
        #expect(configuration.region == "eu-west-1")
        #expect(
            configuration.credentials
                == AWSCredentials(
                    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "s3cr3t-value", sessionToken: "t0ken-value"))
        #expect(configuration.endpoint(for: testService) == "https://dynamodb.eu-west-1.amazonaws.com")
        #expect(!"\(configuration)".contains("s3cr3t-value"))
        #expect(!"\(configuration)".contains("t0ken-value"))
    }

    @Test func fallsBackToTheDefaultRegion() throws {
        var environment = lambdaEnvironment
        environment["AWS_REGION"] = nil
        #expect(try AWSConfiguration(environment: environment).region == "us-east-1")
        environment["AWS_REGION"] = "cn-north-1"
        #expect(
            try AWSConfiguration(environment: environment).endpoint(for: testService)
                == "https://dynamodb.cn-north-1.amazonaws.com.cn")
    }

    @Test func serviceEndpointWinsOverTheGlobalOne() throws {
        var environment = lambdaEnvironment
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000/"
        environment["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:6000"
        let configuration = try AWSConfiguration(environment: environment)
        let sqs = AWSService(
            name: "SQS", signingName: "sqs", endpointPrefix: "sqs", environmentSuffix: "SQS",
            wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS"))
        #expect(configuration.endpoint(for: sqs) == "http://127.0.0.1:6000")
        #expect(configuration.endpoint(for: testService) == "http://127.0.0.1:5000")
        environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(
            try AWSConfiguration(environment: environment).endpoint(for: sqs) == "https://sqs.eu-west-1.amazonaws.com")
    }

    @Test func missingRegionOrCredentialsIsAClearErrorAtInit() {
        #expect(throws: AWSConfigurationError.missingRegion) {
            try AWSConfiguration(environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        }
        #expect(
            throws: AWSConfigurationError.missingCredentials(missing: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        ) {
            try AWSConfiguration(environment: ["AWS_REGION": "eu-west-1"])
        }
        #expect(throws: AWSConfigurationError.missingCredentials(missing: ["AWS_SECRET_ACCESS_KEY"])) {
            try AWSConfiguration(environment: [
                "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "",
            ])
        }
        #expect("\(AWSConfigurationError.missingRegion)".contains("AWS_REGION"))
        #expect(throws: AWSConfigurationError.invalidEndpoint(variable: "AWS_ENDPOINT_URL", value: "localhost:4566")) {
            try AWSConfiguration(environment: [
                "AWS_REGION": "r", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
                "AWS_ENDPOINT_URL": "localhost:4566",
            ])
        }
    }
}

@Suite struct ErrorParsingTests {
    let sns = AWSService(
        name: "SNS", signingName: "sns", endpointPrefix: "sns", environmentSuffix: "SNS",
        wireProtocol: .query(apiVersion: "2010-03-31"))

    @Test func readsTheJSONErrorShape() {
        let response = HTTPResponse(
            status: 400, headers: ["x-amzn-RequestId": "R1"],
            body: Array(
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#
                    .utf8))
        let error = ErrorParsing.parse(response, service: testService, operation: "PutItem")
        #expect(error.service == "DynamoDB")
        #expect(error.operation == "PutItem")
        #expect(error.code == "ConditionalCheckFailedException")
        #expect(error.message == "The conditional request failed")
        #expect(error.requestID == "R1")
        #expect(!error.isThrottling)
    }

    @Test func prefersTheErrorTypeHeaderAndStripsItsSuffix() {
        let response = HTTPResponse(
            status: 400,
            headers: [
                "x-amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/"
            ],
            body: Array(#"{"Message":"1 validation error"}"#.utf8))
        let error = ErrorParsing.parse(response, service: testService, operation: "Query")
        #expect(error.code == "ValidationException")
        #expect(error.message == "1 validation error")
    }

    @Test func readsTheQueryXMLErrorShape() {
        let body = """
            <?xml version="1.0"?>
            <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist &amp; never did</Message></Error>
              <RequestId>9b2a-41</RequestId>
            </ErrorResponse>
            """
        let error = ErrorParsing.parse(
            HTTPResponse(status: 404, body: Array(body.utf8)), service: sns, operation: "Publish")
        #expect(error.code == "NotFound")
        #expect(error.message == "Topic does not exist & never did")
        #expect(error.requestID == "9b2a-41")
        #expect(error.description.contains("SNS.Publish failed: NotFound (HTTP 404)"))
    }

    @Test func anUnreadableErrorStillSaysWhatAnswered() {
        let error = ErrorParsing.parse(
            HTTPResponse(status: 502, body: Array("<html>Bad Gateway</html>".utf8)), service: testService,
            operation: "GetItem")
        #expect(error.code == "UnknownError")
        #expect(error.message == "<html>Bad Gateway</html>")
        #expect(error.isServerError)
        #expect(ErrorParsing.parse(HTTPResponse(status: 429), service: sns, operation: "Publish").isThrottling)
    }
}

@Suite struct XMLElementNodeTests {
    @Test func parsesNestedElementsEntitiesAndCDATA() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <PublishBatchResult>
                <Successful>
                  <member><Id>a</Id><MessageId>m-1</MessageId></member>
                  <member><Id>b</Id><MessageId><![CDATA[m-<2>]]></MessageId></member>
                </Successful>
                <Failed/>
              </PublishBatchResult>
              <ResponseMetadata><RequestId attr='x>y'>r&#233;q&#x2d;1</RequestId></ResponseMetadata>
            </PublishBatchResponse>
            """
        let root = try XMLElementNode.parse(Array(xml.utf8))
        #expect(root.name == "PublishBatchResponse")
        let members = try #require(root.path("PublishBatchResult", "Successful")).children
        #expect(members.map { $0.child("Id")?.text } == ["a", "b"])
        #expect(members[1].child("MessageId")?.text == "m-<2>")
        #expect(root.path("PublishBatchResult", "Failed")?.children == [])
        #expect(root.descendant("RequestId")?.text == "réq-1")
    }

    @Test func rejectsMalformedDocuments() {
        for bad in ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a/><b/>", "text"] {
            #expect(throws: XMLElementNode.ParseError.self, "\(bad)") { try XMLElementNode.parse(Array(bad.utf8)) }
        }
    }

    @Test func namespacePrefixesAreDropped() throws {
        let root = try XMLElementNode.parse(Array("<ns:a xmlns:ns='u'><ns:b>1</ns:b></ns:a>".utf8))
        #expect(root.name == "a")
        #expect(root.child("b")?.text == "1")
    }
}

@Suite struct QueryEncodingTests {
    @Test func encodesStrictlyInOrder() {
        var parameters = QueryParameters()
        parameters.add("Message", "a b&c=d/é~")  // "+" for the space, as botocore sends it
        parameters.add("Subject", nil)
        parameters.add("MessageAttributes.entry.1.Name", "type")
        #expect(parameters.encoded() == "Message=a+b%26c%3Dd%2F%C3%A9~&MessageAttributes.entry.1.Name=type")
    }
}
