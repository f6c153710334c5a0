import JSONCoding
import LambdaHTTP

/// Reads the error a service answered with, in the shape of its protocol.
package enum ErrorParsing {
    package static func parse(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]

        switch service.wireProtocol {
        case .json:
            // {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "..."}
            struct JSONErrorShape: Decodable {
                var type: String?
                var code: String?
                var message: String?
                enum CodingKeys: String, CodingKey {
                    case type = "__type", code, codeUpper = "Code", message, messageUpper = "Message"
                }
                init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: CodingKeys.self)
                    type = try? container.decodeIfPresent(String.self, forKey: .type)
                    code =
                        (try? container.decodeIfPresent(String.self, forKey: .code))
                        ?? (try? container.decodeIfPresent(String.self, forKey: .codeUpper))
                    message =
                        (try? container.decodeIfPresent(String.self, forKey: .message))
                        ?? (try? container.decodeIfPresent(String.self, forKey: .messageUpper))
                }
            }
            let shape = try? JSON.decode(JSONErrorShape.self, from: response.body)
            code = response.headers["x-amzn-ErrorType"] ?? shape?.type ?? shape?.code
            message = shape?.message
        case .query:
            // <ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
            if let root = try? XMLElementNode.parse(response.body) {
                code = root.descendant("Code")?.text
                message = root.descendant("Message")?.text
                requestID = root.descendant("RequestId")?.text ?? root.descendant("RequestID")?.text ?? requestID
            }
        }

        let normalized = code.map(normalizeCode).flatMap { $0.isEmpty ? nil : $0 }
        if message == nil, normalized == nil, !response.body.isEmpty {
            // Not the protocol's shape (a proxy's HTML page, a load balancer's 503): keep a
            // little of it so the user sees what answered.
            message = String(decoding: response.body.prefix(256), as: UTF8.self)
        }
        return AWSError(
            service: service.name, operation: operation,
            code: AWSErrorCode(normalized ?? (response.status == 429 ? "TooManyRequestsException" : "UnknownError")),
            message: message, requestID: requestID, statusCode: response.status, body: response.body)
    }

    /// "aws.protocoltests#FooError:http://internal.amazon.com/..." → "FooError".
    static func normalizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
