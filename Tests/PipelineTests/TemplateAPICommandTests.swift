import Foundation
import LambdaHTTP
import TestSupport
import Testing

/// `lambda-local start-api --from-template` as a user runs it, against moto: the template's API on
/// one port with its authorizer, the users `--user` made, the outputs `--outputs` wrote, and
/// Cognito through the API's own origin. `pipeline up` takes the same options.
@Suite struct TemplateAPICommandTests {
    let lambdaLocal = Products.path("lambda-local")

    @Test(.timeLimit(.minutes(3)))
    func startAPIServesTheTemplatesAPIWithItsUsersAndOutputs() throws {
        _ = try Endpoint.configuration()
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: outputs) }
        let server = try BackgroundProcess([
            lambdaLocal, "start-api", "--from-template", "--port", "0", "--stack-name", Endpoint.uniqueName("cli"),
            "--build-path", Products.directory.path, "--user", "cli@example.com:Cli-Password-1",
            "--outputs", outputs.path, "--no-web",
        ])
        defer { server.stop() }
        try #require(
            server.waitForMatch(#"(APIs up)"#, within: 90) != nil, "start-api did not come up: \(server.output.text)")
        let values = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: outputs)) as? [String: String])
        let api = try #require(values["ApiUrl"])
        let client = try #require(values["UserPoolClientId"])
        #expect(api.hasPrefix("http://127.0.0.1:"))
        // The routes and their authorizer are listed, and no event source mapping runs.
        #expect(server.output.text.contains("GET /events/{id} -> "))
        #expect(!server.output.text.contains("polling"))

        let http = HTTPClient()
        let signIn = try http.execute(
            HTTPRequest(
                method: "POST", url: api + "/_local/cognito-idp/",
                headers: [
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                ],
                body: Array(
                    #"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"\#(client)","AuthParameters":{"USERNAME":"cli@example.com","PASSWORD":"Cli-Password-1"}}"#
                        .utf8)))
        #expect(signIn.status == 200, "\(String(decoding: signIn.body, as: UTF8.self))")
        let token = try #require(
            (jsonObject(signIn.body)?["AuthenticationResult"] as? [String: Any])?["IdToken"] as? String)

        let event = Array(
            #"{"specversion":"1.0","id":"cli-1","source":"urn:test:cli","type":"com.example.order.created","data":{}}"#
                .utf8)
        func post(_ headers: HTTPHeaders) throws -> HTTPResponse {
            try http.execute(HTTPRequest(method: "POST", url: api + "/events", headers: headers, body: event))
        }
        #expect(try post(["Content-Type": "application/json"]).status == 401)
        #expect(try post(["Content-Type": "application/json", "Authorization": "Bearer \(token)"]).status == 202)
        #expect(try http.execute(HTTPRequest(method: "GET", url: api + "/nowhere")).status == 404)
        #expect(server.output.waitFor("POST /events: 401"), "\(server.output.text)")

        server.stop()
        #expect(server.output.waitFor("stopping"))
    }

    @Test func aFunctionOrTheTemplateAndWellFormedUsers() throws {
        let neither = try run([lambdaLocal, "start-api"])
        #expect(neither.status != 0)
        #expect(neither.output.contains("--from-template"))
        let badUser = try run([lambdaLocal, "pipeline", "up", "--user", "nopassword"])
        #expect(badUser.status != 0)
        #expect(badUser.output.contains("--user takes NAME:PASSWORD"))
    }
}
