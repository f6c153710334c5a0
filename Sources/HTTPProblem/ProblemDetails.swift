import JSONCoding
import LambdaEvents

/// An RFC 9457 problem: what went wrong with a request, as `application/problem+json`. The
/// one shape every API function of the kit answers errors in (publish, query).
///
/// ```json
/// {"detail":"...","instance":"urn:aws:apigateway:request:<id>","status":404,
///  "title":"Not Found","type":"urn:swift-lambda-kit:problem:event-not-found"}
/// ```
public struct ProblemDetails: Error, Sendable, Hashable {
    /// One field of the request that was wrong: a JSON Pointer into it, and why.
    public struct FieldError: Sendable, Hashable {
        public var pointer: String
        public var detail: String

        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public var status: Int
    /// The kind of problem, stable for clients to switch on: the document's `type` is this
    /// after ``typePrefix`` (`event-not-found` → `urn:swift-lambda-kit:problem:event-not-found`).
    public var type: String
    public var title: String
    public var detail: String
    /// Written as the `errors` member when there are any.
    public var errors: [FieldError]
    /// Sent with the problem (`Allow`, `Retry-After`...); `Content-Type` is set for it.
    public var headers: [String: String]

    public static let typePrefix = "urn:swift-lambda-kit:problem:"
    public static let contentType = "application/problem+json"

    public init(
        status: Int, type: String, title: String, detail: String, errors: [FieldError] = [],
        headers: [String: String] = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The problem document; `instance` names the request (API Gateway's request id).
    public func document(instance: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(Self.typePrefix + type), "title": .string(title), "status": .integer(Int64(status)),
            "detail": .string(detail), "instance": .string("urn:aws:apigateway:request:\(instance)"),
        ]
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { .object(["pointer": .string($0.pointer), "detail": .string($0.detail)]) })
        }
        return .object(object)
    }

    /// The document as JSON text, keys sorted.
    public func body(instance: String) -> String {
        // A JSONValue always encodes: it holds nothing but JSON.
        String(
            decoding: (try? JSON.encode(document(instance: instance), options: .init(sortedKeys: true))) ?? [],
            as: UTF8.self)
    }

    /// ``headers`` and the problem's `Content-Type`.
    public var responseHeaders: [String: String] {
        headers.merging(["Content-Type": Self.contentType]) { $1 }
    }
}

extension APIGatewayV2Response {
    /// The problem as an HTTP API answer.
    public init(problem: ProblemDetails, instance: String) {
        self.init(statusCode: problem.status, headers: problem.responseHeaders, body: problem.body(instance: instance))
    }
}

extension APIGatewayV1Response {
    /// The problem as a REST API (proxy integration) answer.
    public init(problem: ProblemDetails, instance: String) {
        self.init(statusCode: problem.status, headers: problem.responseHeaders, body: problem.body(instance: instance))
    }
}
