import AWSCore
import LambdaEvents

extension AWSService {
    /// Cognito user pools (the `cognito-idp` API): the developer tool's only, for the template's
    /// user pools and the users `pipeline up --user` creates.
    public static let cognitoIdentityProvider = AWSService(
        name: "Cognito", signingName: "cognito-idp", endpointPrefix: "cognito-idp",
        environmentSuffix: "COGNITO_IDENTITY_PROVIDER",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSCognitoIdentityProviderService"))
}

extension AWSErrorCode {
    static let usernameExists: AWSErrorCode = "UsernameExistsException"
}

/// A user pool as created: what the template's `!Ref` and `!GetAtt` of it stand for.
public struct ProvisionedUserPool: Sendable, Equatable {
    public var logicalID: String
    public var id: String
    public var arn: String
    /// The issuer of its tokens: `https://cognito-idp.<region>.amazonaws.com/<id>`.
    public var providerURL: String
}

extension AWSAdmin {
    /// The pool named `name`, created with `definition` (CreateUserPool's members) unless one
    /// of that name exists: a second `pipeline up` finds the first one's pool, users and all.
    public func createUserPool(name: String, definition: [String: JSONValue]) async throws -> (id: String, arn: String)
    {
        var token: JSONValue?
        repeat {
            var body: [String: JSONValue] = ["MaxResults": .integer(60)]
            if let token { body["NextToken"] = token }
            let page = try await json(cognitoTransport, "ListUserPools", .object(body))
            for pool in page["UserPools"]?.arrayValue ?? [] where pool["Name"]?.stringValue == name {
                if let id = pool["Id"]?.stringValue {
                    let described = try await json(
                        cognitoTransport, "DescribeUserPool", .object(["UserPoolId": .string(id)]))
                    return (id, described["UserPool"]?["Arn"]?.stringValue ?? arn(pool: id))
                }
            }
            token = page["NextToken"]
        } while token != nil && token != .null
        var body = definition
        body["PoolName"] = .string(name)
        let output = try await json(cognitoTransport, "CreateUserPool", .object(body))
        guard let id = output["UserPool"]?["Id"]?.stringValue else {
            throw AdminError.unexpected(operation: "Cognito.CreateUserPool", output: output)
        }
        return (id, output["UserPool"]?["Arn"]?.stringValue ?? arn(pool: id))
    }

    private func arn(pool id: String) -> String {
        "arn:aws:cognito-idp:\(configuration.region):123456789012:userpool/\(id)"
    }

    /// The pool's client named `name` (created with `definition` unless it exists); its id.
    public func createUserPoolClient(poolID: String, name: String, definition: [String: JSONValue]) async throws
        -> String
    {
        let clients = try await json(
            cognitoTransport, "ListUserPoolClients",
            .object(["UserPoolId": .string(poolID), "MaxResults": .integer(60)]))
        for client in clients["UserPoolClients"]?.arrayValue ?? [] where client["ClientName"]?.stringValue == name {
            if let id = client["ClientId"]?.stringValue { return id }
        }
        var body = definition
        body["UserPoolId"] = .string(poolID)
        body["ClientName"] = .string(name)
        let output = try await json(cognitoTransport, "CreateUserPoolClient", .object(body))
        guard let id = output["UserPoolClient"]?["ClientId"]?.stringValue else {
            throw AdminError.unexpected(operation: "Cognito.CreateUserPoolClient", output: output)
        }
        return id
    }

    /// A confirmed user with a permanent password, as an administrator makes one (no invitation
    /// sent). An existing user gets the password. A name with `@` is also the user's verified
    /// e-mail address, which a pool signing in by e-mail needs.
    public func createConfirmedUser(poolID: String, username: String, password: String) async throws {
        var attributes: [JSONValue] = []
        if username.contains("@") {
            attributes = [
                .object(["Name": .string("email"), "Value": .string(username)]),
                .object(["Name": .string("email_verified"), "Value": .string("true")]),
            ]
        }
        do {
            _ = try await json(
                cognitoTransport, "AdminCreateUser",
                .object([
                    "UserPoolId": .string(poolID), "Username": .string(username), "MessageAction": .string("SUPPRESS"),
                    "UserAttributes": .array(attributes),
                ]))
        } catch let error as AWSError where error.code == .usernameExists {
            // Already there: the password below is what matters.
        }
        _ = try await json(
            cognitoTransport, "AdminSetUserPassword",
            .object([
                "UserPoolId": .string(poolID), "Username": .string(username), "Password": .string(password),
                "Permanent": .bool(true),
            ]))
    }

    /// Signs in with USER_PASSWORD_AUTH, as the web page does: the ID token.
    public func idToken(clientID: String, username: String, password: String) async throws -> String {
        let output = try await json(
            cognitoTransport, "InitiateAuth",
            .object([
                "AuthFlow": .string("USER_PASSWORD_AUTH"), "ClientId": .string(clientID),
                "AuthParameters": .object(["USERNAME": .string(username), "PASSWORD": .string(password)]),
            ]))
        guard let token = output["AuthenticationResult"]?["IdToken"]?.stringValue else {
            throw AdminError.unexpected(operation: "Cognito.InitiateAuth", output: output)
        }
        return token
    }
}
