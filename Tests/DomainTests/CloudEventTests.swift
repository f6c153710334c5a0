import CloudEvents
import Foundation
import LambdaEvents
import LambdaTesting
import TestSupport
import Testing
import UTCTime

func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)) }

let orderCreated =
    #"{"specversion":"1.0","id":"e-1","source":"/shop/orders","type":"order.created","subject":"ord-1","time":"2024-05-01T12:00:00Z","datacontenttype":"application/json","data":{"orderId":"ord-1","total":12.5},"tenant":"acme"}"#

@Suite struct CloudEventValidationTests {
    @Test func aValidEventKeepsEveryAttributeAndItsExtensions() throws {
        let event = try CloudEvent(validating: try parse(orderCreated))
        #expect(event.id == "e-1")
        #expect(event.source == "/shop/orders")
        #expect(event.type == "order.created")
        #expect(event.subject == "ord-1")
        #expect(event.time == "2024-05-01T12:00:00Z")
        #expect(event.data?["total"] == .number(12.5))
        #expect(event.extensions == ["tenant": .string("acme")])
        #expect(try CloudEvent(validating: event.json) == event)
    }

    @Test func everyViolationIsReportedWithItsPointer() throws {
        let json = try parse(
            #"{"specversion":"0.3","source":"has space","type":7,"time":"yesterday","datacontenttype":"json","Tenant":"x","meta":{"a":1},"data":{},"data_base64":"AA=="}"#
        )
        let error = #expect(throws: CloudEventValidationError.self) { try CloudEvent(validating: json) }
        let pointers = Dictionary(uniqueKeysWithValues: (error?.violations ?? []).map { ($0.pointer, $0.detail) })
        #expect(pointers["/specversion"] == #"must be "1.0", got "0.3""#)
        #expect(pointers["/id"] == "required member is missing")
        #expect(pointers["/source"]?.contains("URI-reference") == true)
        #expect(pointers["/type"] == "expected a string, got a number")
        #expect(pointers["/time"]?.contains("RFC 3339") == true)
        #expect(pointers["/datacontenttype"]?.contains("media type") == true)
        #expect(pointers["/Tenant"]?.contains("lower-case letters and digits") == true)
        #expect(pointers["/meta"]?.contains("got an object") == true)
        #expect(pointers["/data_base64"] == "data and data_base64 are mutually exclusive")
        #expect(error?.violations.count == 9)
    }

    @Test(arguments: ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456Z", "2024-05-01T14:00:00+02:00"])
    func rfc3339TimesAreAccepted(time: String) throws {
        var object = try parse(orderCreated).objectValue!
        object["time"] = .string(time)
        #expect(try CloudEvent(validating: .object(object)).time == time)
    }

    /// The last two are well-formed but beyond Int64 nanoseconds: they overflowed UTCTime and
    /// stopped every consumer (found by CloudEventsFuzz: an EventBridge sample timed 1485).
    @Test(arguments: [
        "2024-05-01", "2024-05-01T12:00:00", "1714564800", "12:00", "9999-12-31T23:59:59Z", "1485-01-01T00:00:00Z",
    ])
    func timesWithoutDateTimeAndZoneAreRejected(time: String) throws {
        var object = try parse(orderCreated).objectValue!
        object["time"] = .string(time)
        let error = #expect(throws: CloudEventValidationError.self) { try CloudEvent(validating: .object(object)) }
        #expect(error?.violations.map(\.pointer) == ["/time"])
    }

    @Test func notAnObjectIsOneViolationAtTheRoot() {
        let error = #expect(throws: CloudEventValidationError.self) { try CloudEvent(validating: .array([])) }
        #expect(error?.violations == [CloudEventViolation(pointer: "", detail: "expected a JSON object, got an array")])
    }

    @Test func theShortFormIsCompletedWithIdTimeSourceAndContentType() throws {
        let now = UTCTime(secondsSince1970: 1_714_564_800)
        let event = try CloudEvent.completing(
            try parse(#"{"type":"order.created","subject":"ord-9","data":{"orderId":"ord-9"}}"#),
            id: "new-id", defaultSource: "urn:swift-lambda-kit:publish", time: now)
        #expect(event.specVersion == "1.0")
        #expect(event.id == "new-id")
        #expect(event.source == "urn:swift-lambda-kit:publish")
        #expect(event.time == "2024-05-01T12:00:00.000Z")
        #expect(event.dataContentType == "application/json")
        #expect(event.subject == "ord-9")

        let sourced = try CloudEvent.completing(
            try parse(#"{"type":"t","source":"/mine","data":1}"#), id: "i", defaultSource: "d", time: now)
        #expect(sourced.source == "/mine")
    }

    @Test func theShortFormMayNotChooseItsIdOrTimeAndNeedsTypeAndData() throws {
        let error = #expect(throws: CloudEventValidationError.self) {
            try CloudEvent.completing(
                try parse(#"{"id":"mine","time":"2024-05-01T12:00:00Z"}"#), id: "i", defaultSource: "d", time: .now())
        }
        #expect(error?.violations.map(\.pointer).sorted() == ["/data", "/id", "/time", "/type"])
    }

    @Test func thePayloadHashIgnoresKeyOrderAndWhitespace() throws {
        let a = try CloudEvent(validating: try parse(orderCreated))
        let reordered = try CloudEvent(
            validating: try parse(
                #"{ "data": {"total": 12.5, "orderId": "ord-1"}, "tenant":"acme", "type":"order.created","time":"2024-05-01T12:00:00Z","subject":"ord-1","source":"/shop/orders","id":"e-1","datacontenttype":"application/json","specversion":"1.0"}"#
            ))
        #expect(a.payloadHash == reordered.payloadHash)
        #expect(a.payloadHash.count == 64)
        var changed = a
        changed.data = .object(["orderId": .string("ord-1"), "total": .number(13)])
        #expect(changed.payloadHash != a.payloadHash)
    }

    @Test func authContextIsAnExtension() throws {
        var event = try CloudEvent(validating: try parse(orderCreated))
        event.authContext = .init(type: "app_user", id: "user-42")
        #expect(event.json["authtype"] == .string("app_user"))
        #expect(event.json["authid"] == .string("user-42"))
        #expect(try CloudEvent(validating: event.json).authContext == .init(type: "app_user", id: "user-42"))
    }
}

@Suite struct EnvelopeTests {
    @Test func aRawBodyIsTheEventVerbatim() throws {
        let message = SQSMessage.make(body: orderCreated)
        let received = try message.receivedCloudEvent()
        #expect(received.carrier == .raw)
        #expect(received.verbatim == orderCreated)
        #expect(received.event.id == "e-1")
    }

    @Test func anSNSNotificationCarriesTheEventInItsMessage() throws {
        let notification = SNSNotification.make(message: orderCreated, messageID: "sns-1")
        let received = try SQSMessage.carrying(notification).receivedCloudEvent()
        #expect(received.carrier == .sns(messageID: "sns-1", topicARN: SampleAWS.topicARN))
        #expect(received.verbatim == orderCreated)
        #expect(received.event.type == "order.created")
    }

    @Test func anEventBridgeEventCarriesTheEventInItsDetail() throws {
        let detail = try parse(orderCreated)
        let envelope = EventBridgeEvent<JSONValue>.make(
            detailType: "order.created", source: "/shop/orders", detail: detail, id: "eb-1")
        let received = try SQSMessage.carrying(envelope).receivedCloudEvent()
        #expect(received.carrier == .eventBridge(id: "eb-1", detailType: "order.created"))
        #expect(received.event == (try CloudEvent(validating: detail)))
        #expect(
            received.event.payloadHash
                == (try SQSMessage.make(body: orderCreated).receivedCloudEvent()).event.payloadHash)
    }

    @Test func failuresNameTheMessageAndTheField() throws {
        let notJSON = SQSMessage.make(body: "hello", messageID: "m-1")
        let e1 = #expect(throws: CloudEventExtractionError.self) { try notJSON.receivedCloudEvent() }
        #expect(e1?.messageID == "m-1")
        #expect(e1?.field == "body")
        #expect(e1?.reason.contains("not valid JSON") == true)

        let other = SQSMessage.make(body: #"{"hello":"world"}"#)
        let e2 = #expect(throws: CloudEventExtractionError.self) { try other.receivedCloudEvent() }
        #expect(e2?.reason.contains("neither a CloudEvent") == true)

        let badInside = SQSMessage.carrying(SNSNotification.make(message: #"{"specversion":"1.0","id":"x"}"#))
        let e3 = #expect(throws: CloudEventExtractionError.self) { try badInside.receivedCloudEvent() }
        #expect(e3?.field == "body.Message")
        #expect(e3?.reason.contains("/source: required member is missing") == true)
    }

    @Test func everySampleQueueEventInEventsCarriesCloudEvents() throws {
        for name in ["sqs-raw-batch.json", "sqs-sns-notification.json", "sqs-eventbridge.json", "sqs-fifo-batch.json"] {
            let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("events/\(name)"))
            let batch = try JSONDecoder().decode(SQSEvent.self, from: data)
            for message in batch.records {
                #expect(throws: Never.self, "\(name)") { try message.receivedCloudEvent() }
            }
        }
    }
}
