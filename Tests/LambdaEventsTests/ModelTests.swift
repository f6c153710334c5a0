import Foundation
import Testing
import UTCTime

@testable import LambdaEvents
@testable import LambdaTesting

@Suite("Timestamps")
struct TimestampTests {
    @Test(arguments: [
        ("\"1520621625029\"", 1_520_621_625.029),
        ("1583348638390", 1_583_348_638.390),
        ("1706443748", 1_706_443_748.0),
        ("0", 0.0),
        ("\"2015-06-03T17:43:27.123Z\"", 1_433_353_407.123),
        ("\"2019-03-01T00:00:00Z\"", 1_551_398_400.0),
        ("\"2019-03-01T01:30:00+01:30\"", 1_551_398_400.0),
        ("\"12/Mar/2020:19:03:58 +0000\"", 1_584_039_838.0),
        ("\"12/Mar/2020:19:03:58+0000\"", 1_584_039_838.0),
        ("\"29/Feb/2024:23:59:59 +0000\"", 1_709_251_199.0),
    ])
    func decodesEveryFormAndReencodesIt(json text: String, seconds: Double) throws {
        let timestamp = try JSONDecoder().decode(AWSTimestamp.self, from: Data(text.utf8))
        #expect(abs(timestamp.time.secondsSince1970 - seconds) < 0.0005)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        #expect(String(decoding: try encoder.encode(timestamp), as: UTF8.self) == text)
    }

    @Test(arguments: [
        "\"yesterday\"", "\"2023-08-04T12: 36: 15.490+0000\"", "\"2019-02-30T00:00:00Z\"",
        "\"31/Foo/2020:00:00:00 +0000\"", "true",
    ])
    func refusesWhatIsNotATimestamp(json text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AWSTimestamp.self, from: Data(text.utf8)) }
    }

    @Test func formatsNewTimestampsLikeAWS() throws {
        let date = UTCTime(secondsSince1970: 1_773_480_413.25)
        #expect(AWSTimestamp(date, format: .iso8601).description == "2026-03-14T09:26:53Z")
        #expect(AWSTimestamp(date, format: .iso8601WithFractionalSeconds).description == "2026-03-14T09:26:53.250Z")
        #expect(AWSTimestamp(date, format: .commonLogFormat).description == "14/Mar/2026:09:26:53 +0000")
        #expect(AWSTimestamp(date, format: .epochMillisecondsString).description == "1773480413250")
        #expect(AWSTimestamp(date, format: .epochMilliseconds).representation == .epochMilliseconds(1_773_480_413_250))
        let reparsed = try JSONDecoder().decode(
            AWSTimestamp.self, from: JSONEncoder().encode(AWSTimestamp(date, format: .commonLogFormat)))
        #expect(reparsed == AWSTimestamp(date, format: .commonLogFormat))
    }
}

@Suite("Null, absent and unknown members")
struct PresenceTests {
    @Test func nullAndAbsentStayDistinct() throws {
        let withNull =
            #"{"resource":"/","path":"/","httpMethod":"GET","headers":null,"body":null,"requestContext":{"apiId":"a","stage":"s","requestId":"r","identity":{"sourceIp":"1.2.3.4","user":null}}}"#
        let request = try JSONDecoder().decode(APIGatewayV1Request.self, from: Data(withNull.utf8))
        #expect(request.headers == nil && request.body == nil && request.multiValueHeaders == nil)
        let object = try encodeJSON(request)
        #expect(object["headers"] == .null)
        #expect(object["body"] == .null)
        #expect(object["multiValueHeaders"] == nil)
        #expect(object["requestContext"]?["identity"]?["user"] == .null)
        #expect(object["requestContext"]?["identity"]?["caller"] == nil)
    }

    @Test func newRequestsWriteNullsLikeAPIGateway() throws {
        let object = try encodeJSON(APIGatewayV1Request.make(method: "GET", path: "/events"))
        #expect(object["queryStringParameters"] == .null)
        #expect(object["body"] == .null)
        #expect(object["requestContext"]?["identity"]?["cognitoIdentityId"] == .null)
    }

    @Test func unknownMembersSurviveReencoding() throws {
        let text =
            #"{"resource":"/","path":"/","httpMethod":"GET","requestContext":{"apiId":"a","stage":"s","requestId":"r","vpcId":"vpc-1","identity":{"sourceIp":"1.2.3.4","vpceId":"vpce-1"}},"newField":{"n":2345}}"#
        let request = try JSONDecoder().decode(APIGatewayV1Request.self, from: Data(text.utf8))
        #expect(request.additionalFields["newField"] == .object(["n": .integer(2345)]))
        #expect(request.requestContext.identity.additionalFields["vpceId"] == .string("vpce-1"))
        #expect(try json(text).firstDifference(from: try encodeJSON(request)) == nil)
    }

    @Test func iamActionKeepsItsShape() throws {
        let single = #"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":["arn:1","arn:2"]}"#
        let statement = try JSONDecoder().decode(IAMPolicyStatement.self, from: Data(single.utf8))
        #expect(statement.action == ["execute-api:Invoke"])
        #expect(try encodeJSON(statement)["Action"] == .string("execute-api:Invoke"))
        #expect(try encodeJSON(statement)["Resource"] == .array([.string("arn:1"), .string("arn:2")]))
    }

    @Test func jsonDifferenceFindsThePath() throws {
        let left = try json(#"{"a":{"b":[1,{"c":"x"}]},"n":60}"#)
        #expect(left.firstDifference(from: try json(#"{"n":60.0,"a":{"b":[1,{"c":"x"}]}}"#)) == nil)
        #expect(left.firstDifference(from: try json(#"{"a":{"b":[1,{"c":"y"}]},"n":60}"#))?.path == "$.a.b[1].c")
        #expect(left.firstDifference(from: try json(#"{"a":{"b":[1]},"n":60}"#))?.path == "$.a.b")
        #expect(left.firstDifference(from: try json(#"{"a":{"b":[1,{"c":"x"}]}}"#))?.path == "$.n")
        #expect(try json("true").firstDifference(from: try json("1")) != nil)
    }
}

@Suite("Bodies")
struct BodyTests {
    struct CloudEvent: Decodable, Equatable {
        struct Order: Decodable, Equatable {
            var orderId: String
            var total: Double
        }

        var specversion: String
        var type: String
        var data: Order
    }

    @Test func decodesPlainAndBase64Bodies() throws {
        let body = EventGenerator.cloudEvent(type: "order.created")
        let plain = APIGatewayV2Request.make(method: "POST", path: "/events", body: body)
        #expect(try plain.decodeBody(CloudEvent.self).data.orderId == "ord-1042")
        let base64 = APIGatewayV1Request.make(
            method: "POST", path: "/events", body: Data(body.utf8).base64EncodedString(), isBase64Encoded: true)
        #expect(try base64.decodeBody(CloudEvent.self).type == "order.created")
    }

    @Test func errorNamesRecordFieldAndPath() throws {
        let good = EventGenerator.cloudEvent()
        let bad = good.replacingOccurrences(of: #""total":129.9"#, with: #""total":"lots""#)
        #expect(bad != good)
        let event = SQSEvent.make(bodies: [good, bad])
        let results = event.decodeBodies(CloudEvent.self)
        #expect((try? results[0].body.get()) != nil)
        let error = try #require(throws: EventBodyDecodingError.self) { try results[1].body.get() }
        #expect(error.record == "Records[1] (messageId \(event.records[1].messageID))")
        #expect(error.field == "body")
        #expect(error.path == "$.data.total")
    }

    @Test func snsMessageErrorNamesTheMessageField() throws {
        let event = SNSEvent.make(message: "not json")
        let error = try #require(throws: EventBodyDecodingError.self) {
            try event.records[0].sns.decodeMessage(CloudEvent.self)
        }
        #expect(error.field == "Message")
        #expect(error.record.contains(event.records[0].sns.messageID))
    }

    @Test func emptyAndNonBase64BodiesAreErrors() throws {
        let empty = APIGatewayV2Request.make(method: "POST", path: "/events", body: nil)
        #expect(throws: EventBodyDecodingError.self) { try empty.decodeBody(CloudEvent.self) }
        let notBase64 = APIGatewayV2Request.make(method: "POST", path: "/events", body: "%%%", isBase64Encoded: true)
        let error = try #require(throws: EventBodyDecodingError.self) { try notBase64.decodeBody(CloudEvent.self) }
        #expect(error.reason.contains("base64"))
    }
}

@Suite("Builders")
struct BuilderTests {
    @Test func sqsBatchFromBodies() throws {
        let event = SQSEvent.make(bodies: ["a", "b", "c"], receiveCount: 3)
        #expect(event.records.map(\.body) == ["a", "b", "c"])
        #expect(Set(event.records.map(\.messageID)).count == 3)
        #expect(
            event.records.allSatisfy {
                $0.attributes.approximateReceiveCount == 3 && $0.attributes.messageGroupID == nil
            })
        #expect(event.records[0].md5OfBody == "0cc175b9c0f1b6a831c399e269772661")
        let decoded = try JSONDecoder().decode(SQSEvent.self, from: JSONEncoder().encode(event))
        #expect(decoded == event)
    }

    @Test func fifoBatchHasGroupsAndIncreasingSequenceNumbers() throws {
        let event = SQSEvent.makeFIFO([("order-1", "a"), ("order-2", "b"), ("order-1", "c")])
        #expect(event.records.map(\.attributes.messageGroupID) == ["order-1", "order-2", "order-1"])
        let sequence = event.records.compactMap(\.attributes.sequenceNumber)
        #expect(sequence.count == 3 && sequence == sequence.sorted() && Set(sequence).count == 3)
        #expect(sequence.allSatisfy { $0.count == 20 })
        #expect(
            event.records.allSatisfy { $0.attributes.messageDeduplicationID != nil && $0.queueName.hasSuffix(".fifo") })
    }

    @Test func sqsRecordCarryingSNSAndEventBridge() throws {
        let notification = SNSNotification.make(message: "hello", subject: "greeting")
        let viaSNS = SQSMessage.carrying(notification)
        let unwrapped = try viaSNS.decodeSNSNotification()
        #expect(unwrapped.message == "hello" && unwrapped.subject == "greeting")
        #expect(try json(viaSNS.body)["SigningCertURL"] != nil)

        let event = EventBridgeEvent.make(
            detailType: "order.created", source: "shop.orders",
            detail: JSONValue.object(["orderId": .string("o-1")]))
        let viaRule = SQSMessage.carrying(event)
        let bridged = try viaRule.decodeEventBridgeEvent(detail: JSONValue.self)
        #expect(bridged == event)
    }

    @Test func snsEventAndScheduledEvent() throws {
        let event = SNSEvent.make(message: "m", topicARN: "arn:aws:sns:eu-west-1:111122223333:alerts")
        #expect(event.records[0].eventSubscriptionARN.hasPrefix("arn:aws:sns:eu-west-1:111122223333:alerts:"))
        #expect(event.records[0].sns.signingCertURL.contains("sns.eu-west-1.amazonaws.com"))
        #expect(try encodeJSON(event)["Records"]?.arrayValue?.first?["Sns"]?["SigningCertUrl"] != nil)
        let scheduled = ScheduledEvent.makeScheduled()
        #expect(try encodeJSON(scheduled)["detail"] == .object([:]))
        #expect(try encodeJSON(scheduled)["detail-type"] == .string("Scheduled Event"))
    }

    @Test func apiGatewayRequestsFromMethodPathHeadersAndBody() throws {
        let v1 = APIGatewayV1Request.make(
            method: "POST", path: "/events", headers: ["Content-Type": "application/json"], body: "{}")
        #expect(v1.httpMethod == "POST" && v1.requestContext.httpMethod == "POST" && v1.path == "/events")
        #expect(
            v1.headers?["Content-Type"] == "application/json"
                && v1.multiValueHeaders?["Content-Type"] == ["application/json"])
        #expect(v1.requestContext.requestTimeEpoch != nil)

        let v2 = APIGatewayV2Request.make(
            method: "GET", path: "/events", headers: ["X-Trace": "t"], rawQueryString: "a=1&a=2&b=x")
        #expect(v2.routeKey == "GET /events" && v2.requestContext.http.method == "GET")
        #expect(v2.headers["x-trace"] == "t")
        #expect(v2.queryStringParameters == ["a": "1,2", "b": "x"])
        #expect(try JSONDecoder().decode(APIGatewayV2Request.self, from: JSONEncoder().encode(v2)) == v2)
    }

    @Test(arguments: APIGatewayWebSocketRequestContext.EventType.allCases)
    func webSocketRequests(eventType: APIGatewayWebSocketRequestContext.EventType) throws {
        let request = APIGatewayWebSocketRequest.make(eventType: eventType, body: "{}")
        #expect(request.requestContext.eventType == eventType)
        #expect((request.headers != nil) == (eventType == .connect))
        #expect((request.body != nil) == (eventType == .message))
        let data = try JSONEncoder().encode(request)
        #expect(EventKind.detect(try json(data)) == .apigwWebSocketRequest)
    }
}

@Suite("JSON parser")
struct JSONParserTests {
    @Test func agreesWithJSONDecoderOnEveryPeerFile() throws {
        let files = try readManifest().map(\.path)
        #expect(files.count == 105)
        for file in files {
            let data = try Data(contentsOf: peerEventsDirectory.appendingPathComponent(file))
            let parsed = try JSONValue(parsing: data)
            let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
            // JSONDecoder reads `60.0` as an integer, the parser keeps it a double: same value.
            let difference = parsed.firstDifference(from: decoded)
            #expect(difference == nil, "\(file): \(difference.map { "\($0.path) \($0.description)" } ?? "")")
        }
    }

    @Test func handlesEscapesNumbersAndLiterals() throws {
        let text =
            #"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","i":-42,"d":60.0,"e":1e3,"big":12345678901234567890,"t":true,"f":false,"n":null,"a":[]}"#
        let value = try JSONValue(parsing: Data(text.utf8))
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["i"] == .integer(-42))
        #expect(value["d"] == .number(60))
        #expect(value["e"] == .number(1000))
        #expect(value["big"] == .number(12_345_678_901_234_567_890))
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false) && value["n"] == .null)
        #expect(value["a"] == .array([]))
    }

    /// Found by JSONFuzz on JSONTestSuite's i_number_huge_exp: 1e400 parsed as infinity, which
    /// the encoder cannot write, so echoing such an event failed with Runtime.MarshalError.
    @Test(arguments: ["[1.5e+9999]", "-1e400", "1" + String(repeating: "0", count: 400)])
    func refusesNumbersBeyondADouble(text: String) {
        #expect {
            try JSONValue(parsing: Data(text.utf8))
        } throws: {
            let error = "\($0)"
            return error.hasPrefix("at byte ") && error.hasSuffix("is beyond the range of a Double")
        }
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1,}", "01", "\"\\x\"", "tru", "1 2", "\"\\ud800\"", "{\"a\" 1}"])
    func refusesInvalidJSON(text: String) {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data(text.utf8)) }
    }
}
