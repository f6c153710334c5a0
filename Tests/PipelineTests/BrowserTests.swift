import AWSCore
import Foundation
import TestSupport
import Testing

@testable import LocalPipeline

/// The web page in a real browser: Debian's Chromium, headless, driven by Selenium through
/// Debian's chromedriver (`Tests/Browser/browser_test.py`), against the whole system on moto as
/// `pipeline up` runs it. A wrong password shows Cognito's error; signed in, an event published
/// through the form shows published, processed and stored. Each step's screenshot is kept in
/// `.build/artifacts/browser/`.
@Suite struct BrowserTests {
    static let user = (name: "grace@example.com", password: "Browser-Pass-1")
    static var artifacts: URL { repositoryRoot.appendingPathComponent(".build/artifacts/browser") }

    @Test(.timeLimit(.minutes(5)))
    func aUserSignsInPublishesAndWatchesTheEventGoThroughThePipeline() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(
                FileManager.default.isExecutableFile(atPath: tool),
                "\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
        }
        // The page as it is in the repository, with the config.json this run writes beside it.
        let web = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("web"), to: web)
        try? FileManager.default.removeItem(at: web.appendingPathComponent("config.json"))
        defer { try? FileManager.default.removeItem(at: web) }
        try? FileManager.default.removeItem(at: Self.artifacts)
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)

        let configuration = try Endpoint.configuration()
        var options = PipelineOptions(
            templatePath: repositoryRoot.appendingPathComponent("functions/template.yaml").path,
            stackName: Endpoint.uniqueName("browser"), buildDirectories: [Products.directory.path], apiPort: 0,
            waitTimeSeconds: 1, users: [Self.user], log: { _ in }, functionOutput: { _ in })
        options.webRoot = web.path
        let runner = try await PipelineRunner.up(options, configuration: configuration)
        let result: ProcessResult
        do {
            let api = try #require(runner.gateways["HttpApi"])
            result = try await blocking {
                Result { () throws -> ProcessResult in
                    try run([
                        "/usr/bin/env", "python3",
                        repositoryRoot.appendingPathComponent("Tests/Browser/browser_test.py").path,
                        "--url", api.url + "/", "--user", Self.user.name, "--password", Self.user.password,
                        "--screenshots", Self.artifacts.path, "--timeout", "90",
                    ])
                }
            }.get()
        } catch {
            await runner.stop()
            throw error
        }
        await runner.stop()
        #expect(result.status == 0, "browser test failed:\n\(result.output)")
        for step in ["01-loaded", "02-wrong-password", "03-signed-in", "04-published", "05-processed-stored"] {
            #expect(
                FileManager.default.fileExists(atPath: Self.artifacts.appendingPathComponent("\(step).png").path),
                "no screenshot of \(step)")
        }
    }
}
