import Foundation
import LambdaEmulator
import LambdaPackaging
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The zips `make package` wrote (LAMBDA_PACKAGE_DIST names their folder; `make
/// test-package` sets it), each unzipped into the `/var/task` of an empty root and run
/// there as Lambda runs it, against the Runtime API emulator on loopback (the chroot
/// shares the network namespace). Data-driven: every zip found is tested.
enum PackagedZips {
    static let directory = ProcessInfo.processInfo.environment["LAMBDA_PACKAGE_DIST"]

    static let functions: [String] = {
        guard let directory, let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return []
        }
        return entries.filter { $0.hasSuffix(".zip") }.map { String($0.dropLast(4)) }.sorted()
    }()

    static func zip(_ function: String) -> String { "\(directory!)/\(function).zip" }

    /// Test subjects packaged the same way as the functions (`make test-package` puts them here).
    static let fixtures = ProcessInfo.processInfo.environment["LAMBDA_PACKAGE_FIXTURES"]

    static func fixtureZip(_ name: String) -> String { "\(fixtures!)/\(name).zip" }

    /// What each function is configured with (names from the contract), pointing its AWS
    /// calls at a closed loopback port: an invocation then ends in a precise connection
    /// error, which still proves the bootstrap started, reached /next and answered.
    static func environment(_ function: String) -> [String: String] {
        let base = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            // Lambda's own value: it lists Amazon Linux's /lib64, which the bundle must win over.
            "LD_LIBRARY_PATH":
                "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
            "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        ]
        let topic = "arn:aws:sns:us-east-1:123456789012:swift-lambda-kit-events"
        let specific: [String: String] =
            switch function {
            case "publish":
                ["TOPIC_ARN": topic, "EVENT_BUS_NAME": "swift-lambda-kit", "IDEMPOTENCY_TABLE": "idempotency"]
            case "process": ["EVENTS_TABLE": "events"]
            case "store": ["AUDIT_TABLE": "audit"]
            case "notify": ["NOTIFICATIONS_TOPIC_ARN": topic + "-notifications", "IDEMPOTENCY_TABLE": "idempotency"]
            case "rollup": ["EVENTS_TABLE": "events", "EVENT_BUS_NAME": "swift-lambda-kit"]
            case "query":
                [
                    "IDEMPOTENCY_TABLE": "idempotency", "EVENTS_TABLE": "events", "AUDIT_TABLE": "audit",
                    "NOTIFY_TYPES": "*.alert,*.failed",
                ]
            default: [:]
            }
        return base.merging(specific) { _, specific in specific }
    }

    static func event(_ function: String) throws -> [UInt8] {
        let file =
            switch function {
            case "echo": "events/echo/hello.json"
            case "publish": "events/apigw-v2-post-events.json"
            case "rollup": "events/sqs-scheduled-event.json"
            case "query": "events/query-apigw-v2-get-event.json"
            default: "events/sqs-sns-notification.json"
            }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

func emptyRootLambda(_ function: String, root: EmptyRoot, environment: [String: String] = [:], output: OutputCapture)
    throws -> LocalLambda
{
    try LocalLambda(
        configuration: LocalLambdaConfiguration(
            command: try root.command(),
            functionName: function,
            timeout: .seconds(20),
            environment: PackagedZips.environment(function).merging(environment) { _, override in override },
            inheritsEnvironment: false,
            functionOutput: output.sink))
}

@Suite(
    .enabled(if: PackagedZips.directory != nil, "LAMBDA_PACKAGE_DIST is not set: run make test-package"),
    .enabled(if: runningAsRoot, "chroot, mknod and mount need root"))
struct PackagedFunctionTests {
    @Test func everyFunctionOfTheContractWasPackaged() {
        for function in ["echo", "publish", "process", "store", "notify", "query"]
        where FileManager.default.fileExists(atPath: "functions/\(function)/main.swift") {
            #expect(
                PackagedZips.functions.contains(function),
                "functions/\(function) has no zip in \(PackagedZips.directory!)")
        }
    }

    /// The deployment build links the minimal libcurl and OpenSSL statically: no zip carries them
    /// as shared libraries, and every library the bootstrap still loads is in the zip.
    @Test(arguments: PackagedZips.functions)
    func curlAndOpenSSLAreLinkedInAndEverythingDynamicIsBundled(_ function: String) throws {
        let listing = try run(["/usr/bin/unzip", "-Z1", PackagedZips.zip(function)])
        let bundled = Set(
            listing.output.split(separator: "\n").filter { $0.hasPrefix("lib/") && $0.count > 4 }.map {
                String($0.dropFirst(4))
            })
        for shared in ["libcurl", "libssl", "libcrypto"] {
            #expect(!bundled.contains { $0.hasPrefix(shared) }, "\(function).zip bundles \(shared)")
        }
        // libstdc++ is linked in where its archive is installed (install-deps.sh installs it).
        if FileManager.default.fileExists(atPath: "/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a") {
            #expect(!bundled.contains { $0.hasPrefix("libstdc++") }, "\(function).zip bundles libstdc++")
        }
        let root = try EmptyRoot(zip: PackagedZips.zip(function))
        defer { #expect(throws: Never.self) { try root.remove() } }
        let needed = try run(["/usr/bin/readelf", "-d", root.path + "/var/task/bootstrap"]).stdout
            .split(separator: "\n").compactMap { line -> String? in
                guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["),
                    let close = line.lastIndex(of: "]")
                else { return nil }
                return String(line[line.index(after: open)..<close])
            }
        #expect(!needed.isEmpty)
        for library in needed {
            #expect(bundled.contains(library), "\(function)'s bootstrap needs \(library), which its zip lacks")
            #expect(
                !["libcurl", "libssl", "libcrypto"].contains { library.hasPrefix($0) }, "\(function) links \(library)")
        }
    }

    /// The runtime core, the events, the AWS clients and the domain functions import no
    /// Foundation: a release bootstrap carries none of FoundationEssentials (~7.5 MB of binary,
    /// 3 MB resident). Nor the regex modules, which one `contains(_: String)` would link
    /// (~1.4 MB with the Unicode name tables they reach; TextSearch.swift). Swift keeps each
    /// module's name in the mangled type names of its reflection metadata, which stripping
    /// leaves, so the module's name is the evidence.
    @Test(arguments: PackagedZips.functions)
    func bootstrapLinksNeitherFoundationNorTheRegexModules(_ function: String) throws {
        let root = try EmptyRoot(zip: PackagedZips.zip(function))
        defer { #expect(throws: Never.self) { try root.remove() } }
        let binary = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root.path + "/var/task/bootstrap")))
        for module in [
            "FoundationEssentials", "FoundationInternationalization", "10Foundation", "_StringProcessing",
            "_RegexParser",
        ] {
            #expect(
                binary.firstRange(of: Array(module.utf8)) == nil,
                "\(function)'s bootstrap links \(module == "10Foundation" ? "Foundation" : module)")
        }
    }

    @Test(arguments: PackagedZips.functions)
    func zipHoldsABootstrapStartedByTheBundledLoader(_ function: String) throws {
        let listing = try run(["/usr/bin/unzip", "-Z1", PackagedZips.zip(function)])
        let entries = Set(listing.output.split(separator: "\n").map(String.init))
        #expect(entries.contains("bootstrap"))
        #expect(entries.contains("lib/libc.so.6"))
        let loader = try #require(entries.first { $0.hasPrefix("lib/ld-linux") })
        let root = try EmptyRoot(zip: PackagedZips.zip(function))
        defer { #expect(throws: Never.self) { try root.remove() } }
        #expect(try programInterpreter("\(root.path)/var/task/bootstrap") == "/var/task/\(loader)")
    }

    @Test(arguments: PackagedZips.functions)
    func bootstrapServesAnInvocationInAnEmptyRoot(_ function: String) throws {
        let root = try EmptyRoot(zip: PackagedZips.zip(function))
        defer { #expect(throws: Never.self) { try root.remove() } }
        #expect(!root.contents().contains { ["bin", "lib", "lib64", "usr", "etc"].contains($0) })
        let output = OutputCapture()
        let lambda = try emptyRootLambda(function, root: root, output: output)
        defer { lambda.shutdown() }

        guard case .ready = lambda.start() else {
            Issue.record("\(function) did not reach /next in the empty root:\n\(output.text)")
            return
        }
        let event = try PackagedZips.event(function)
        let report = lambda.invoke(event)
        switch report.result {
        case .response(let body):
            if function == "echo" {
                #expect(
                    try JSONSerialization.jsonObject(with: Data(body)) as? NSDictionary
                        == JSONSerialization.jsonObject(with: Data(event)) as? NSDictionary)
            }
        case .functionError:
            // The domain functions' AWS calls go to a closed port; an error they report is an
            // invocation served. echo has no excuse.
            #expect(function != "echo", "\(String(decoding: report.payload, as: UTF8.self))")
        default:
            Issue.record(
                "\(function) did not answer: \(String(decoding: report.payload, as: UTF8.self))\n\(output.text)")
        }
        // The process is still the one that started: it went back to /next.
        #expect(lambda.invoke(event).initDuration == nil)
    }
}

/// HTTPS from the packaged bootstrap, in an empty root whose only CA bundle is at Amazon
/// Linux's path: TLS works with it and fails without it, so the bundle is found there
/// (and nothing from the build machine is).
@Suite(
    .enabled(
        if: PackagedZips.fixtures.map { FileManager.default.fileExists(atPath: "\($0)/faulty.zip") } ?? false,
        "no packaged faulty fixture: run make test-package"),
    .enabled(if: runningAsRoot, "chroot, mknod and mount need root"))
struct PackagedTLSTests {
    static let amazonLinuxCABundle = "/etc/pki/tls/certs/ca-bundle.crt"

    /// What AWS's endpoints present: RSA or ECDSA certificates, TLS 1.3 or 1.2 (ECDHE, AES-GCM).
    /// The bootstrap links an OpenSSL built without what TLS with AWS does not use, so each is
    /// proven to have stayed.
    @Test(arguments: [
        (HTTPSServer.Key.rsa2048, HTTPSServer.TLSVersion.tls13), (.ecdsaP256, .tls13), (.rsa2048, .tls12),
        (.ecdsaP256, .tls12),
    ])
    func httpsVerifiesAgainstTheCABundleAtAmazonLinuxsPath(key: HTTPSServer.Key, version: HTTPSServer.TLSVersion)
        throws
    {
        let server = try HTTPSServer(key: key, version: version)
        defer { server.stop() }
        let root = try EmptyRoot(zip: PackagedZips.fixtureZip("faulty"))
        defer { #expect(throws: Never.self) { try root.remove() } }
        try root.add(server.certificate, at: Self.amazonLinuxCABundle)

        let output = OutputCapture()
        let lambda = try emptyRootLambda("faulty", root: root, output: output)
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array(#"{"faulty":{"fetch":"\#(server.url)"}}"#.utf8))
        #expect(
            report.result == .response(Array(#"{"status":200}"#.utf8)),
            "\(String(decoding: report.payload, as: UTF8.self))\n\(output.text)")
    }

    @Test func httpsFailsWithoutACABundle() throws {
        let server = try HTTPSServer()
        defer { server.stop() }
        let root = try EmptyRoot(zip: PackagedZips.fixtureZip("faulty"))
        defer { #expect(throws: Never.self) { try root.remove() } }

        let output = OutputCapture()
        let lambda = try emptyRootLambda("faulty", root: root, output: output)
        defer { lambda.shutdown() }
        let report = lambda.invoke(Array(#"{"faulty":{"fetch":"\#(server.url)"}}"#.utf8))
        guard case .functionError(let error) = report.result else {
            Issue.record("expected a TLS failure, got \(report.result)")
            return
        }
        #expect(error.errorMessage.contains("TLS failed"), "\(error.errorMessage)")
        #expect(error.errorMessage.contains("CA bundle: none found"), "\(error.errorMessage)")
    }
}

/// An HTTPS server on loopback with a fresh self-signed certificate for 127.0.0.1
/// (openssl and Python's ssl module, both already needed by the test tooling).
final class HTTPSServer: Sendable {
    enum Key: String, Sendable, CustomTestStringConvertible {
        case rsa2048, ecdsaP256
        var testDescription: String { rawValue }
        var newkey: [String] {
            switch self {
            case .rsa2048: ["-newkey", "rsa:2048"]
            case .ecdsaP256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
            }
        }
    }

    /// The highest version the server accepts.
    enum TLSVersion: String, Sendable, CustomTestStringConvertible {
        case tls12 = "TLSv1_2", tls13 = "TLSv1_3"
        var testDescription: String { rawValue }
    }

    let url: String
    let certificate: Data
    private let process: Process
    private let directory: String

    init(key: Key = .rsa2048, version: TLSVersion = .tls13) throws {
        directory = try temporaryDirectory("https")
        let generated = try run(
            ["/usr/bin/openssl", "req", "-x509"] + key.newkey + [
                "-nodes", "-days", "1", "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        guard generated.status == 0 else { throw HTTPSServerError(description: "openssl: \(generated.output)") }
        certificate = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/cert.pem"))

        let script = """
            import http.server, ssl, sys
            class Ok(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
                def log_message(self, *args): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            context.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", script, "\(directory)/cert.pem", "\(directory)/key.pem", version.rawValue,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        self.process = process
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw HTTPSServerError(description: "the HTTPS server did not report its port")
        }
        url = "https://127.0.0.1:\(port)/"
    }

    func stop() {
        // SIGKILL, not terminate(): the child inherits the test runner's blocked signals,
        // SIGTERM among them, and would outlive a SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct HTTPSServerError: Error, CustomStringConvertible {
    var description: String
}
