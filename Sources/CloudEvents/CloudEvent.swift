import Hashing
import JSONCoding
import LambdaEvents

/// A CloudEvents 1.0 event in its JSON format: the one envelope the domain uses end to end.
///
/// Its `id` is the idempotency key of every function and the correlation id of every log
/// line. An instance is always valid: the only ways to make one from JSON validate it
/// (``init(validating:)``, ``completing(_:id:defaultSource:time:)``, `Decodable`).
public struct CloudEvent: Sendable, Hashable {
    public static let specVersion = "1.0"

    public var specVersion: String
    public var id: String
    /// A URI-reference naming the producer, e.g. `/shop/orders`.
    public var source: String
    /// e.g. `order.created`.
    public var type: String
    /// What the event is about within the source, e.g. an order id.
    public var subject: String?
    /// RFC 3339, kept as written so that a verbatim copy hashes the same.
    public var time: String?
    public var dataContentType: String?
    public var dataSchema: String?
    /// `data`, when it is JSON.
    public var data: JSONValue?
    /// `data_base64`, for binary data.
    public var dataBase64: String?
    /// Extension attributes: lower-case alphanumeric names, string / integer / boolean values.
    public var extensions: [String: JSONValue]

    /// Builds an event from already valid parts; `validate()` checks them again.
    public init(
        id: String, source: String, type: String, subject: String? = nil, time: String? = nil,
        dataContentType: String? = nil, dataSchema: String? = nil, data: JSONValue? = nil, dataBase64: String? = nil,
        extensions: [String: JSONValue] = [:]
    ) {
        self.specVersion = Self.specVersion
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataContentType = dataContentType
        self.dataSchema = dataSchema
        self.data = data
        self.dataBase64 = dataBase64
        self.extensions = extensions
    }

    /// The context attributes the spec names; everything else at the top level is an extension.
    static let specAttributes: Set<String> = [
        "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data",
        "data_base64",
    ]

    /// The event as a JSON object in the CloudEvents JSON format.
    public var json: JSONValue {
        var object: [String: JSONValue] = extensions
        object["specversion"] = .string(specVersion)
        object["id"] = .string(id)
        object["source"] = .string(source)
        object["type"] = .string(type)
        if let subject { object["subject"] = .string(subject) }
        if let time { object["time"] = .string(time) }
        if let dataContentType { object["datacontenttype"] = .string(dataContentType) }
        if let dataSchema { object["dataschema"] = .string(dataSchema) }
        if let data { object["data"] = data }
        if let dataBase64 { object["data_base64"] = .string(dataBase64) }
        return .object(object)
    }

    /// The JSON text with sorted keys: one spelling per event, so that the same event
    /// published twice (or carried by SNS and by EventBridge) has the same hash.
    public var canonicalJSON: String {
        CanonicalJSON.string(json)
    }

    /// SHA-256 of ``canonicalJSON``, lower-case hex: the payload hash idempotency records and
    /// audit records keep, to tell a duplicate from a different event reusing an id.
    public var payloadHash: String {
        CanonicalJSON.sha256(json)
    }
}

/// JSON text with sorted keys, and its hash.
public enum CanonicalJSON {
    public static func string(_ value: JSONValue) -> String {
        // JSONValue always encodes: it holds nothing but JSON.
        return String(decoding: (try? JSON.encode(value, options: .init(sortedKeys: true))) ?? [], as: UTF8.self)
    }

    public static func sha256(_ value: JSONValue) -> String {
        Digest.sha256(Array(string(value).utf8)).hexEncoded
    }
}

extension CloudEvent: Codable {
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        do {
            self = try CloudEvent(validating: json)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}

extension CloudEvent {
    /// The `authcontext` extension (CloudEvents' own): who caused the event. `authtype` is
    /// one of `app_user`, `user`, `service_account`, `api_key`, `system`, `unauthenticated`,
    /// `unknown`; `authid` identifies the principal.
    public struct AuthContext: Sendable, Hashable {
        public var type: String
        public var id: String?

        public init(type: String, id: String?) {
            self.type = type
            self.id = id
        }

        public static let unauthenticated = AuthContext(type: "unauthenticated", id: nil)
    }

    public var authContext: AuthContext? {
        get {
            guard let type = extensions["authtype"]?.stringValue else { return nil }
            return AuthContext(type: type, id: extensions["authid"]?.stringValue)
        }
        set {
            extensions["authtype"] = newValue.map { .string($0.type) }
            extensions["authid"] = newValue?.id.map(JSONValue.string)
        }
    }
}
