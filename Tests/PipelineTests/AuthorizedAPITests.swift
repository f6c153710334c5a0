import AWSCore
import Foundation
import LambdaEvents
import LambdaHTTP
import TestSupport
import Testing
import UTCTime

@testable import LocalPipeline

/// The template's HTTP API served locally as one API with its routes, guarded by its Cognito
/// JWT authorizer against moto's user pool: what a signed-in user can do, and every way a
/// token is refused; `GET /events/{id}` following an event through the system; and the
/// outputs and web configuration `pipeline up` writes.
@Suite(.serialized) struct AuthorizedAPITests {
    static let user = (name: "ada@example.com", password: "Correct-Horse-1")

    static func event(_ id: String, type: String = "com.example.order.created") -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"\#(id)","source":"urn:test:api","type":"\#(type)","datacontenttype":"application/json","data":{"orderId":"\#(id)"}}"#
                .utf8)
    }

    @Test(.timeLimit(.minutes(5)))
    func signedInUsersPublishAndFollowTheirEventsAndEveryBadTokenIs401() async throws {
        let configuration = try Endpoint.configuration()
        let admin = AWSAdmin(configuration: configuration)
        let web = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        try Data("<!doctype html><title>events</title>".utf8).write(to: web.appendingPathComponent("index.html"))
        defer { try? FileManager.default.removeItem(at: web) }
        var options = PipelineOptions(
            templatePath: repositoryRoot.appendingPathComponent("functions/template.yaml").path,
            stackName: Endpoint.uniqueName("auth"), buildDirectories: [Products.directory.path], apiPort: 0,
            waitTimeSeconds: 1, users: [Self.user], log: { _ in }, functionOutput: { _ in })
        options.webRoot = web.path
        let runner = try await PipelineRunner.up(options, configuration: configuration)
        do {
            try await check(runner, admin: admin, endpoint: try #require(configuration.endpointURL), web: web)
        } catch {
            await runner.stop()
            throw error
        }
        await runner.stop()
    }

    func check(_ runner: PipelineRunner, admin: AWSAdmin, endpoint: String, web: URL) async throws {
        let stack = runner.stack
        // One API for the template's HttpApi: publish's and query's routes on one port.
        let api = try #require(runner.gateways["HttpApi"])
        #expect(runner.gateway("PublishFunction") === api)
        #expect(runner.gateway("QueryFunction") === api)
        let routes = Set(api.routes.map(\.routeKey))
        #expect(routes.isSuperset(of: ["POST /events", "POST /events/ordered", "GET /events/{id}"]))
        #expect(api.routes.allSatisfy { $0.authorizer?.configuration.name == "CognitoJWT" })

        let pool = try #require(stack.userPools.first { $0.logicalID == "UserPool" })
        let client = try #require(stack.userPoolClients["UserPoolClient"])
        let http = HTTPClient()
        func send(_ method: String, _ path: String, token: String?, body: [UInt8] = []) throws -> HTTPResponse {
            var headers: HTTPHeaders = ["Content-Type": "application/cloudevents+json"]
            if let token { headers.add("Authorization", "Bearer \(token)") }
            return try http.execute(
                HTTPRequest(method: method, url: api.url + path, headers: headers, body: body, timeout: .seconds(30)))
        }
        func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

        // The outputs as `sam deploy` would show them, resolved locally.
        #expect(runner.outputs["ApiUrl"] == api.url)
        #expect(runner.outputs["UserPoolId"] == pool.id)
        #expect(runner.outputs["UserPoolClientId"] == client)
        #expect(runner.outputs["EventsTopicArn"] == stack.topics["EventsTopic"])
        // The web page's configuration: this API and moto's Cognito.
        let config = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: web.appendingPathComponent("config.json")))
                as? [String: Any])
        #expect(config["apiUrl"] as? String == api.url)
        let cognito = try #require(config["cognito"] as? [String: String])
        #expect(cognito["userPoolId"] == pool.id && cognito["clientId"] == client)
        // Cognito through the API's own origin: moto cannot answer the browser's CORS preflight.
        #expect(cognito["endpoint"] == api.url + "/_local/cognito-idp/")
        let wrongPassword = try http.execute(
            HTTPRequest(
                method: "POST", url: api.url + "/_local/cognito-idp/",
                headers: [
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                ],
                body: Array(
                    #"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"\#(client)","AuthParameters":{"USERNAME":"\#(Self.user.name)","PASSWORD":"wrong"}}"#
                        .utf8)))
        #expect(wrongPassword.status == 400)
        #expect(text(wrongPassword).contains("NotAuthorizedException"))
        #expect(try send("POST", "/_local/cognito-idp/", token: nil).status == 400)
        #expect(try send("GET", "/", token: nil).status == 200)

        let token = try await runner.signIn(Self.user.name, password: Self.user.password)
        let claims = try JSONWebToken(compact: Substring(token)).claims
        let subject = try #require(claims["sub"]?.stringValue)

        // No token; an expired one the issuer signed; the same claims re-signed by another key;
        // a token of another client of the same pool: 401, the function never runs.
        let now = Int(Date().timeIntervalSince1970)
        var expired = claims.mapValues { $0 }
        expired["exp"] = .integer(Int64(now - 60))
        expired["iat"] = .integer(Int64(now - 3700))
        let claimsJSON = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(JSONValue.object(claims)))
        let expiredJSON = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(JSONValue.object(expired)))
        let forged = try ForgedTokens(
            keys: ["moto": ["moto": true], "other": ["kid": "dummy"]],
            tokens: [
                ["key": "moto", "header": ["kid": "dummy"], "claims": expiredJSON],
                ["key": "other", "header": ["kid": "dummy"], "claims": claimsJSON],
                // Control: the issuer's key and valid claims pass, so the two above fail for their reason.
                ["key": "moto", "header": ["kid": "dummy"], "claims": claimsJSON],
            ])
        let otherClient = try await admin.createUserPoolClient(
            poolID: pool.id, name: "other-app",
            definition: [
                "ExplicitAuthFlows": .array([.string("ALLOW_USER_PASSWORD_AUTH"), .string("ALLOW_REFRESH_TOKEN_AUTH")])
            ])
        let otherToken = try await admin.idToken(
            clientID: otherClient, username: Self.user.name, password: Self.user.password)
        let refused: [(String, String?, String)] = [
            ("no token", nil, "no token"), ("expired", forged.tokens[0], "expired"),
            ("re-signed", forged.tokens[1], "signature"), ("another client", otherToken, "audience"),
            ("not a JWT", "abc.def", "not a JWT"),
        ]
        for (name, token, reason) in refused {
            let response = try send("POST", "/events", token: token, body: Self.event("refused-\(name)"))
            #expect(response.status == 401, "\(name)")
            #expect(text(response) == #"{"message":"Unauthorized"}"#, "\(name)")
            #expect(response.headers["www-authenticate"]?.contains(reason) == true, "\(name): \(response.headers)")
            #expect(try send("GET", "/events/refused", token: token).status == 401)
        }

        // Signed in: 202, and the event carries the user the authorizer vouched for.
        let id = "auth-\(UUID().uuidString.lowercased())"
        let accepted = try send("POST", "/events", token: token, body: Self.event(id))
        #expect(accepted.status == 202, "\(text(accepted))")
        #expect(jsonObject(accepted.body)?["id"] as? String == id)
        #expect(try send("POST", "/events", token: forged.tokens[2], body: Self.event(id)).status == 202)

        // GET /events/{id}: unknown is a 404 problem; the published event reaches processed and stored.
        let unknown = try send("GET", "/events/no-such-event", token: token)
        #expect(unknown.status == 404)
        #expect(unknown.headers["Content-Type"] == "application/problem+json")
        let progress = try await eventually(timeout: .seconds(60)) { () -> [String: Any]? in
            let response = try send("GET", "/events/\(id)", token: token)
            guard response.status == 200, let object = jsonObject(response.body),
                object["processed"] as? [String: Any] != nil, object["stored"] as? [String: Any] != nil
            else {
                try await Task.sleep(for: .milliseconds(300))
                return nil
            }
            return object
        }
        let state = try #require(progress, "the event never showed processed and stored")
        #expect(state["id"] as? String == id)
        #expect(state["type"] as? String == "com.example.order.created")
        #expect(state["published"] as? [String: Any] != nil)
        #expect((state["stored"] as? [String: Any])?["payloadHash"] as? String != nil)

        // The stored original names the caller: the token's sub, as an app user.
        let audit = try await admin.scan(table: try #require(stack.tables["AuditTable"]))
        let original = try #require(
            audit.first { $0["pk"]?["S"]?.stringValue == id && $0["sk"]?["S"]?.stringValue == "ORIGINAL" })
        let payload = try #require(
            jsonObject(Array((original["payload"]?["S"]?.stringValue ?? "").utf8)), "the audit record has no payload")
        #expect(payload["authid"] as? String == subject)
        #expect(payload["authtype"] as? String == "app_user")
    }
}
