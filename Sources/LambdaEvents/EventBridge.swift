/// An EventBridge event, generic over its `detail`: a handler names the detail it expects
/// (`EventBridgeEvent<OrderCreated>`) and gets a decoding error naming `detail.<field>` if the
/// event does not match. `EventBridgeEvent<JSONValue>` accepts any detail.
///
/// `detail` is required, as EventBridge always sends it. To accept events without one, make
/// the detail optional: `EventBridgeEvent<JSONValue?>`.
public struct EventBridgeEvent<Detail: Sendable>: Sendable {
    /// `"0"`. One of the peer samples omits it, so it is optional here.
    public var version: String?
    public var id: String
    public var detailType: String
    public var source: String
    public var account: String
    public var time: AWSTimestamp
    public var region: String
    public var resources: [String]
    public var detail: Detail
    /// Top-level members this model does not name, such as `replay-name` on replayed events.
    public var additionalFields: AdditionalFields

    public init(
        version: String? = "0", id: String, detailType: String, source: String, account: String, time: AWSTimestamp,
        region: String, resources: [String] = [], detail: Detail, additionalFields: AdditionalFields = [:]
    ) {
        self.version = version
        self.id = id
        self.detailType = detailType
        self.source = source
        self.account = account
        self.time = time
        self.region = region
        self.resources = resources
        self.detail = detail
        self.additionalFields = additionalFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, id
        case detailType = "detail-type"
        case source, account, time, region, resources, detail
    }

    /// The same event with a different detail, e.g. after decoding a `JSONValue` detail into
    /// a type chosen by `detailType`.
    public func withDetail<Other>(_ detail: Other) -> EventBridgeEvent<Other> {
        EventBridgeEvent<Other>(
            version: version, id: id, detailType: detailType, source: source, account: account, time: time,
            region: region, resources: resources, detail: detail, additionalFields: additionalFields)
    }
}

extension EventBridgeEvent: Equatable where Detail: Equatable {}

/// Lets the generic decoder accept a missing `detail` only when `Detail` is optional.
protocol OptionalDetail {
    static var absentDetail: Self { get }
    var isAbsentDetail: Bool { get }
}

extension Optional: OptionalDetail {
    static var absentDetail: Self { nil }
    var isAbsentDetail: Bool { self == nil }
}

extension EventBridgeEvent: Decodable where Detail: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        id = try container.decode(String.self, forKey: .id)
        detailType = try container.decode(String.self, forKey: .detailType)
        source = try container.decode(String.self, forKey: .source)
        account = try container.decode(String.self, forKey: .account)
        time = try container.decode(AWSTimestamp.self, forKey: .time)
        region = try container.decode(String.self, forKey: .region)
        resources = try container.decode([String].self, forKey: .resources)
        if !container.contains(.detail), let optional = Detail.self as? any OptionalDetail.Type {
            detail = optional.absentDetail as! Detail
        } else {
            detail = try container.decode(Detail.self, forKey: .detail)
        }
        additionalFields = try decoder.additionalFields(excluding: CodingKeys.self)
    }
}

extension EventBridgeEvent: Encodable where Detail: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encode(id, forKey: .id)
        try container.encode(detailType, forKey: .detailType)
        try container.encode(source, forKey: .source)
        try container.encode(account, forKey: .account)
        try container.encode(time, forKey: .time)
        try container.encode(region, forKey: .region)
        try container.encode(resources, forKey: .resources)
        if let optional = detail as? any OptionalDetail, optional.isAbsentDetail {
            // Left out, as in the event it was decoded from.
        } else {
            try container.encode(detail, forKey: .detail)
        }
        try encoder.encodeAdditionalFields(additionalFields)
    }
}

/// The detail of a scheduled event: always `{}`.
public struct ScheduledEventDetail: Codable, Sendable, Equatable {
    public init() {}
}

/// What an EventBridge schedule rule (`rate(5 minutes)`, `cron(...)`) sends: `source` is
/// `aws.events`, `detail-type` is `Scheduled Event`, `resources` holds the rule's ARN.
public typealias ScheduledEvent = EventBridgeEvent<ScheduledEventDetail>
