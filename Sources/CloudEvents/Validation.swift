import LambdaEvents
import TextEncodings
import UTCTime

/// One thing wrong with an event: where (a JSON pointer, RFC 6901) and what.
public struct CloudEventViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// e.g. `/time`, or `` (the empty pointer) for the document itself.
    public var pointer: String
    public var detail: String

    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    public var description: String { "\(pointer.isEmpty ? "the event" : pointer): \(detail)" }
}

/// Why a JSON value is not a CloudEvent: every violation found, not only the first, so a
/// producer can fix them in one round.
public struct CloudEventValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var violations: [CloudEventViolation]

    public init(_ violations: [CloudEventViolation]) {
        self.violations = violations
    }

    public var description: String {
        "not a valid CloudEvent: " + violations.map(\.description).joined(separator: "; ")
    }
}

extension CloudEvent {
    /// Validates a JSON object against CloudEvents 1.0 (JSON format) and builds the event.
    public init(validating json: JSONValue) throws(CloudEventValidationError) {
        guard case .object(let object) = json else {
            throw CloudEventValidationError([
                CloudEventViolation(pointer: "", detail: "expected a JSON object, got \(json.kindDescription)")
            ])
        }
        var violations: [CloudEventViolation] = []
        let specVersion = Self.requiredString("specversion", in: object, &violations)
        if let specVersion, specVersion != Self.specVersion {
            violations.append(.init(pointer: "/specversion", detail: "must be \"1.0\", got \"\(specVersion)\""))
        }
        let event = Self.validateAttributes(object, &violations)
        guard violations.isEmpty, let event else { throw CloudEventValidationError(violations) }
        self = event
    }

    /// Completes the short form a publisher may send, `{type, source?, subject?, data}` (plus
    /// `datacontenttype`, `dataschema` and extensions), into a CloudEvent with a fresh id and
    /// the current time. `id`, `time` and `specversion` are the publisher's to assign.
    public static func completing(
        _ json: JSONValue, id: String, defaultSource: String, time: UTCTime
    ) throws(CloudEventValidationError) -> CloudEvent {
        guard case .object(var object) = json else {
            throw CloudEventValidationError([
                CloudEventViolation(pointer: "", detail: "expected a JSON object, got \(json.kindDescription)")
            ])
        }
        var violations: [CloudEventViolation] = []
        for assigned in ["id", "time"] where object[assigned] != nil {
            violations.append(
                .init(
                    pointer: "/\(assigned)",
                    detail:
                        "is assigned by the publisher; to choose it, send a complete CloudEvent with \"specversion\": \"1.0\""
                ))
        }
        if object["data"] == nil && object["data_base64"] == nil {
            violations.append(.init(pointer: "/data", detail: "required member is missing"))
        }
        object["id"] = .string(id)
        object["time"] = .string(AWSTimestamp(time, format: .iso8601WithFractionalSeconds).description)
        if object["source"] == nil { object["source"] = .string(defaultSource) }
        if object["datacontenttype"] == nil, object["data"] != nil {
            object["datacontenttype"] = .string("application/json")
        }
        let event = validateAttributes(object, &violations)
        guard violations.isEmpty, let event else { throw CloudEventValidationError(violations) }
        return event
    }

    /// Re-checks an event built in code.
    public func validate() throws(CloudEventValidationError) {
        _ = try CloudEvent(validating: json)
    }

    private static func validateAttributes(
        _ object: [String: JSONValue], _ violations: inout [CloudEventViolation]
    ) -> CloudEvent? {
        let id = requiredString("id", in: object, &violations)
        let source = requiredString("source", in: object, &violations)
        if let source, !isURIReference(source) {
            violations.append(
                .init(pointer: "/source", detail: "must be a URI-reference (no spaces or control characters)"))
        }
        let type = requiredString("type", in: object, &violations)
        let subject = optionalString("subject", in: object, &violations)
        let time = optionalString("time", in: object, &violations)
        if let time, !isRFC3339(time) {
            violations.append(
                .init(
                    pointer: "/time",
                    detail:
                        "must be an RFC 3339 timestamp between the years 1678 and 2262, such as 2024-05-01T12:00:00Z, got \"\(time)\""
                ))
        }
        let dataContentType = optionalString("datacontenttype", in: object, &violations)
        if let dataContentType, !dataContentType.containsText("/") {
            violations.append(
                .init(
                    pointer: "/datacontenttype",
                    detail: "must be a media type such as application/json, got \"\(dataContentType)\""))
        }
        let dataSchema = optionalString("dataschema", in: object, &violations)
        if let dataSchema, !(dataSchema.containsText(":") && isURIReference(dataSchema)) {
            violations.append(.init(pointer: "/dataschema", detail: "must be an absolute URI"))
        }
        // JSON null means absent, for data as for every attribute.
        let data: JSONValue? = object["data"].flatMap { $0 == .null ? nil : $0 }
        let dataBase64 = optionalString("data_base64", in: object, &violations)
        if data != nil, dataBase64 != nil {
            violations.append(.init(pointer: "/data_base64", detail: "data and data_base64 are mutually exclusive"))
        }
        if let dataBase64, Base64.decode(dataBase64) == nil {
            violations.append(.init(pointer: "/data_base64", detail: "is not base64"))
        }
        var extensions: [String: JSONValue] = [:]
        for name in object.keys.sorted() where !specAttributes.contains(name) {
            let value = object[name]!
            if !isValidAttributeName(name) {
                violations.append(
                    .init(
                        pointer: "/" + escapePointer(name),
                        detail:
                            "is not a valid extension attribute name: CloudEvents attribute names are lower-case letters and digits only"
                    ))
                continue
            }
            switch value {
            case .null: continue
            case .string, .integer, .bool: extensions[name] = value
            case .number(let number) where number.rounded() == number && abs(number) < 2_147_483_648:
                extensions[name] = .integer(Int64(number))
            default:
                violations.append(
                    .init(
                        pointer: "/\(name)",
                        detail:
                            "extension attribute values must be a string, an integer or a boolean, got \(value.kindDescription)"
                    ))
            }
        }
        guard let id, let source, let type else { return nil }
        return CloudEvent(
            id: id, source: source, type: type, subject: subject, time: time, dataContentType: dataContentType,
            dataSchema: dataSchema, data: data, dataBase64: dataBase64, extensions: extensions)
    }

    private static func requiredString(
        _ name: String, in object: [String: JSONValue], _ violations: inout [CloudEventViolation]
    ) -> String? {
        guard let value = object[name], value != .null else {
            violations.append(.init(pointer: "/\(name)", detail: "required member is missing"))
            return nil
        }
        guard case .string(let string) = value else {
            violations.append(.init(pointer: "/\(name)", detail: "expected a string, got \(value.kindDescription)"))
            return nil
        }
        guard !string.isEmpty else {
            violations.append(.init(pointer: "/\(name)", detail: "must not be empty"))
            return nil
        }
        return string
    }

    private static func optionalString(
        _ name: String, in object: [String: JSONValue], _ violations: inout [CloudEventViolation]
    ) -> String? {
        guard let value = object[name], value != .null else { return nil }
        guard case .string(let string) = value else {
            violations.append(.init(pointer: "/\(name)", detail: "expected a string, got \(value.kindDescription)"))
            return nil
        }
        guard !string.isEmpty else {
            violations.append(.init(pointer: "/\(name)", detail: "must not be empty when present"))
            return nil
        }
        return string
    }

    static func isValidAttributeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    static func isURIReference(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    /// RFC 3339: a full date, `T`, a time, and a zone (`Z` or an offset).
    static func isRFC3339(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let last = bytes.last,
            last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") || bytes[bytes.count - 3] == UInt8(ascii: ":")
        else { return false }
        return UTCTime(iso8601: value) != nil
    }

    static func escapePointer(_ name: String) -> String {
        name.replacingText("~", with: "~0").replacingText("/", with: "~1")
    }

    /// `time` read, when the event has one.
    public var occurredAt: UTCTime? {
        time.flatMap { UTCTime(iso8601: $0) }
    }
}

extension JSONValue {
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
