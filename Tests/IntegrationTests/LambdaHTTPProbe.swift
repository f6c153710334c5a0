import LambdaHTTP

/// Talks to the emulator directly, as a runtime in another language would.
enum LambdaHTTPProbe {
    static func post(_ url: String, body: String) throws -> (status: Int, body: String) {
        let response = try HTTPClient().execute(HTTPRequest(method: "POST", url: url, body: Array(body.utf8)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}
