public struct EventValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    public var severity: Severity
    /// Where in the file, e.g. `$.Records[0].body.Timestamp` (paths go into JSON bodies).
    public var path: String
    public var message: String

    public init(severity: Severity, path: String, message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(path): \(message)" }
}

public struct EventValidationReport: Sendable, Equatable {
    public var kind: EventKind?
    public var issues: [EventValidationIssue]
    /// What the SQS bodies carry, when they are JSON: `sns-notification`, `eventbridge`…
    public var nestedKinds: [String: EventKind]

    public var isValid: Bool { kind != nil && !issues.contains { $0.severity == .error } }
    public var errors: [EventValidationIssue] { issues.filter { $0.severity == .error } }
}

/// Strict checking of an event file, for `lambda-local events validate` and for tests.
public enum EventValidator {
    /// Detects the kind (unless given), decodes with the kind's model and reports the JSON path
    /// of whatever does not fit. Also reports members the model would drop on re-encoding, and
    /// checks SQS bodies that carry an SNS notification or an EventBridge event.
    public static func validate(_ data: some Collection<UInt8>, as givenKind: EventKind? = nil) -> EventValidationReport
    {
        var report = EventValidationReport(kind: nil, issues: [], nestedKinds: [:])
        let json: JSONValue
        do {
            json = try JSONValue(parsing: data)
        } catch {
            report.issues.append(.init(severity: .error, path: "$", message: "not valid JSON: \(reason(of: error))"))
            return report
        }
        guard let kind = givenKind ?? EventKind.detect(json) else {
            report.issues.append(
                .init(
                    severity: .error, path: "$",
                    message: "unrecognised event: none of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))"
                ))
            return report
        }
        report.kind = kind
        report.issues = check(data, json: json, as: kind, at: "$")

        if kind == .sqs, report.errors.isEmpty, let records = json["Records"]?.arrayValue {
            for (index, record) in records.enumerated() {
                guard let body = record["body"]?.stringValue, case let bodyData = Array(body.utf8),
                    let bodyJSON = try? JSONValue(parsing: bodyData),
                    let nested = EventKind.detect(bodyJSON), nested == .snsNotification || nested == .eventbridge
                else { continue }
                let path = "$.Records[\(index)].body"
                report.nestedKinds[path] = nested
                report.issues += check(bodyData, json: bodyJSON, as: nested, at: path)
            }
        }
        return report
    }

    static func check(_ data: some Collection<UInt8>, json: JSONValue, as kind: EventKind, at root: String)
        -> [EventValidationIssue]
    {
        do {
            let reencoded = try JSONValue(parsing: try kind.decodeAndReencode(data))
            if let difference = json.firstDifference(from: reencoded) {
                let message =
                    difference.description == "missing on the right"
                    ? "not part of the \(kind.modelName) model; it would be dropped on re-encoding"
                    : "re-encodes differently: \(difference.description)"
                return [.init(severity: .warning, path: rebase(difference.path, onto: root), message: message)]
            }
            return []
        } catch let error as DecodingError {
            return [.init(severity: .error, path: rebase(error.jsonPath, onto: root), message: error.reason)]
        } catch {
            return [.init(severity: .error, path: root, message: String(describing: error))]
        }
    }

    static func rebase(_ path: String, onto root: String) -> String {
        root == "$" ? path : root + path.dropFirst()
    }

    static func reason(of error: any Error) -> String {
        if let error = error as? DecodingError { return error.reason }
        return String(describing: error)
    }
}
