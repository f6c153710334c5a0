import CloudEvents
import HTTPProblem
import LambdaEvents

/// A request from either API Gateway flavour: a REST API (payload 1.0) or an HTTP API
/// (payload 2.0), told apart by `version`, so that one function serves both.
public enum APIGatewayRequest: Decodable, Sendable {
    case v1(APIGatewayV1Request)
    case v2(APIGatewayV2Request)

    private struct Probe: Decodable { var version: String? }

    public init(from decoder: any Decoder) throws {
        if try Probe(from: decoder).version == "2.0" {
            self = .v2(try APIGatewayV2Request(from: decoder))
        } else {
            self = .v1(try APIGatewayV1Request(from: decoder))
        }
    }

    /// What the handler needs of a request, whatever its flavour.
    var view: HTTPRequestView {
        switch self {
        case .v1(let request):
            var headers: [String: String] = [:]
            for (name, values) in request.multiValueHeaders ?? [:] {
                headers[name.lowercased()] = values.joined(separator: ",")
            }
            for (name, value) in request.headers ?? [:] { headers[name.lowercased()] = value }
            return HTTPRequestView(
                method: request.httpMethod, headers: headers, body: request.body,
                isBase64Encoded: request.isBase64Encoded ?? false,
                requestID: request.requestContext.requestID, caller: Self.caller(of: request.requestContext))
        case .v2(let request):
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.lowercased()] = value }
            return HTTPRequestView(
                method: request.requestContext.http.method, headers: headers, body: request.body,
                isBase64Encoded: request.isBase64Encoded,
                requestID: request.requestContext.requestID, caller: Self.caller(of: request.requestContext.authorizer))
        }
    }

    /// The principal an authorizer vouched for, in the vocabulary of the CloudEvents
    /// `authcontext` extension.
    static func caller(of context: APIGatewayV1RequestContext) -> CloudEvent.AuthContext {
        if let claims = context.claims, let subject = claims["sub"]?.stringValue {
            return .init(type: "app_user", id: subject)
        }
        if let principal = context.authorizer?["principalId"]?.stringValue {
            return .init(type: "unknown", id: principal)
        }
        if let user = context.identity.userARN ?? context.identity.caller {
            return .init(type: "service_account", id: user)
        }
        if let key = context.identity.apiKeyID {
            return .init(type: "api_key", id: key)
        }
        return .unauthenticated
    }

    static func caller(of authorizer: APIGatewayV2Authorizer?) -> CloudEvent.AuthContext {
        if let subject = authorizer?.jwt?.claims?["sub"] {
            return .init(type: "app_user", id: subject)
        }
        if let iam = authorizer?.iam, let user = iam.userARN ?? iam.callerID {
            return .init(type: "service_account", id: user)
        }
        if let lambda = authorizer?.lambda {
            return .init(type: "unknown", id: lambda["principalId"]?.stringValue ?? lambda["sub"]?.stringValue)
        }
        return .unauthenticated
    }

    func response(_ response: HTTPResponseParts) -> APIGatewayResponse {
        switch self {
        case .v1: .v1(APIGatewayV1Response(statusCode: response.status, headers: response.headers, body: response.body))
        case .v2: .v2(APIGatewayV2Response(statusCode: response.status, headers: response.headers, body: response.body))
        }
    }
}

/// The response in the flavour of the request.
public enum APIGatewayResponse: Encodable, Sendable, Equatable {
    case v1(APIGatewayV1Response)
    case v2(APIGatewayV2Response)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .v1(let response): try response.encode(to: encoder)
        case .v2(let response): try response.encode(to: encoder)
        }
    }

    public var statusCode: Int {
        switch self {
        case .v1(let response): response.statusCode
        case .v2(let response): response.statusCode
        }
    }

    public var headers: [String: String] {
        switch self {
        case .v1(let response): response.headers ?? [:]
        case .v2(let response): response.headers ?? [:]
        }
    }

    public var body: String {
        switch self {
        case .v1(let response): response.body ?? ""
        case .v2(let response): response.body ?? ""
        }
    }
}

struct HTTPRequestView: Sendable {
    var method: String
    /// Lower-cased names.
    var headers: [String: String]
    var body: String?
    var isBase64Encoded: Bool
    var requestID: String
    var caller: CloudEvent.AuthContext
}

struct HTTPResponseParts: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// publish's errors are the kit's RFC 9457 problems (`ProblemDetails`, in LambdaEvents): one
/// implementation for every API function.
typealias Problem = ProblemDetails

extension ProblemDetails {
    /// A problem listing what is wrong with a CloudEvent, one `errors` member per violation.
    init(
        status: Int, type: String, title: String, detail: String, errors violations: [CloudEventViolation],
        headers: [String: String] = [:]
    ) {
        self.init(
            status: status, type: type, title: title, detail: detail,
            errors: violations.map { FieldError(pointer: $0.pointer, detail: $0.detail) }, headers: headers)
    }

    func response(instance: String) -> HTTPResponseParts {
        HTTPResponseParts(status: status, headers: responseHeaders, body: body(instance: instance))
    }
}
