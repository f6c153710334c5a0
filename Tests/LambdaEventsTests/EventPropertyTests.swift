import JSONCoding
import LambdaEvents
import LambdaTesting
import PropertyBased
import Testing
import UTCTime

/// Generated values of every event model survive encode → decode through the kit's coder: the
/// generator's options (bodies with quotes, control characters and astral-plane text, headers,
/// paths, times, batch sizes) vary per case, and each event decodes back equal to itself.
@Suite struct EventPropertyTests {
    static let awkward: [String] = [
        "", "plain", "quote \" and backslash \\", "slash / and </script>", "tab\tnew\nline\r\n",
        "nul \u{0} and \u{1F}", "é and e\u{301}", "日本語", "emoji 😀🇪🇺", "{\"json\":[1,2.5,null]}",
    ]

    static let options = Generator<EventGenerationOptions, Shrink.None<EventGenerationOptions>> { rng in
        func pick(_ values: [String]) -> String { values.randomElement(using: &rng)! }
        var options = EventGenerationOptions()
        options.body = pick(awkward) + pick(awkward)
        options.count = Int.random(in: 1...12, using: &rng)
        options.subject = Bool.random(using: &rng) ? pick(awkward) : nil
        options.sqsPayload = EventGenerationOptions.SQSPayload.allCases.randomElement(using: &rng)!
        options.receiveCount = Int.random(in: 1...9, using: &rng)
        options.detailType = Bool.random(using: &rng) ? pick(awkward) : nil
        options.method = pick(["GET", "POST", "PUT", "DELETE", "PATCH"])
        options.path = "/" + pick(["events", "events/42", "a b/ü", ""])
        options.headers = Dictionary(
            uniqueKeysWithValues: (0..<Int.random(in: 0...4, using: &rng)).map { ("x-h\($0)", pick(awkward)) })
        options.statusCode = [200, 202, 404, 500].randomElement(using: &rng)!
        options.time = UTCTime(millisecondsSince1970: Int64.random(in: 0...7_258_118_400_000, using: &rng))
        return options
    }

    @Test(arguments: EventKind.allCases)
    func generatedEventsSurviveEncodeAndDecode(_ kind: EventKind) async {
        await propertyCheck(count: 60, input: Self.options) { options in
            let generated: [UInt8]
            do {
                generated = Array(try EventGenerator.generate(kind, options: options))
            } catch is EventGenerationError {
                return  // options this kind does not take
            }
            switch kind {
            case .sqs: try roundTrip(SQSEvent.self, generated)
            case .sqsBatchResponse: try roundTrip(SQSBatchResponse.self, generated)
            case .sns: try roundTrip(SNSEvent.self, generated)
            case .snsNotification: try roundTrip(SNSNotification.self, generated)
            case .eventbridge: try roundTrip(EventBridgeEvent<JSONValue>.self, generated)
            case .apigwV1Request: try roundTrip(APIGatewayV1Request.self, generated)
            case .apigwV1Response: try roundTrip(APIGatewayV1Response.self, generated)
            case .apigwV2Request: try roundTrip(APIGatewayV2Request.self, generated)
            case .apigwV2Response: try roundTrip(APIGatewayV2Response.self, generated)
            case .apigwWebSocketRequest: try roundTrip(APIGatewayWebSocketRequest.self, generated)
            case .apigwAuthorizerRequest: try roundTrip(APIGatewayAuthorizerRequest.self, generated)
            case .apigwAuthorizerResponse: try roundTrip(APIGatewayAuthorizerResponse.self, generated)
            }
        }
    }

    /// Decoded, encoded and decoded again: the same model value, and the same bytes the second
    /// time (the first encoding is the generator's, Foundation's pretty-printed form).
    func roundTrip<Model: Codable & Equatable>(_: Model.Type, _ bytes: [UInt8]) throws {
        let model = try JSON.decode(Model.self, from: bytes)
        let encoded = try JSON.encode(model)
        let again = try JSON.decode(Model.self, from: encoded)
        #expect(again == model, "\(Model.self) changed in a round trip")
        #expect(
            try JSON.encode(again, options: .init(sortedKeys: true))
                == (try JSON.encode(model, options: .init(sortedKeys: true))))
        #expect(try JSON.decode(JSONValue.self, from: encoded).firstDifference(from: try json(bytes)) == nil)
    }
}
