import Foundation
import TestSupport
import Testing

/// The package graph as `swift package dump-package` prints it: each target and what it
/// depends on (targets of this package by name, products of other packages as `package:product`).
struct PackageGraph: Sendable {
    struct Target: Sendable {
        var name: String
        var type: String
        var path: String?
        var dependencies: [String]
    }

    var targets: [String: Target]

    static let current: PackageGraph = {
        // A scratch path of its own: `swift test` holds the lock of .build while this runs.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dump-package-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try! run(
            ["/usr/bin/env", "swift", "package", "--scratch-path", scratch, "dump-package"],
            directory: repositoryRoot.path)
        return try! PackageGraph(dumpPackageJSON: Data(result.stdout.utf8))
    }()

    init(dumpPackageJSON data: Data) throws {
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var targets: [String: Target] = [:]
        for target in root["targets"] as! [[String: Any]] {
            let dependencies = (target["dependencies"] as! [[String: Any]]).compactMap { dependency -> String? in
                if let byName = dependency["byName"] as? [Any] { return byName[0] as? String }
                if let target = dependency["target"] as? [Any] { return target[0] as? String }
                if let product = dependency["product"] as? [Any] {
                    return "\(product[1] as! String):\(product[0] as! String)"
                }
                return nil
            }
            let name = target["name"] as! String
            targets[name] = Target(
                name: name, type: target["type"] as! String, path: target["path"] as? String, dependencies: dependencies
            )
        }
        self.targets = targets
    }

    /// Every target and product `name` depends on, directly or not.
    func closure(of name: String) -> Set<String> {
        var seen: Set<String> = []
        var pending = targets[name]?.dependencies ?? []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            pending += targets[next]?.dependencies ?? []
        }
        return seen
    }

    /// The deployable functions: executable targets in `functions/`.
    var bootstraps: [String] {
        targets.values.filter { $0.type == "executable" && ($0.path ?? "").hasPrefix("functions/") }.map(\.name)
            .sorted()
    }
}

/// DESIGN.md's layers. Dependencies point downward only: each layer lists what it may import
/// (its own layer included, unless it says otherwise).
enum Layer: String, CaseIterable, Sendable {
    case leaves, http, runtime, events, awsClients, domain, functions, testingKit, developerTool, tests

    static func of(_ target: PackageGraph.Target) -> Layer? {
        if target.type == "test" || (target.path ?? "").hasPrefix("Tests/")
            || (target.path ?? "").hasPrefix("Benchmarks/")
        {
            return .tests
        }
        if (target.path ?? "").hasPrefix("functions/") { return .functions }
        return assignments[target.name]
    }

    /// Every library target of the package; a new one must be placed here, or the test fails.
    static let assignments: [String: Layer] = [
        "JSONCoding": .leaves, "UTCTime": .leaves, "TextEncodings": .leaves, "Hashing": .leaves, "CLibcrypto": .leaves,
        "CCurl": .http, "LambdaHTTP": .http,
        "LambdaRuntime": .runtime, "LambdaMetrics": .runtime,
        "LambdaEvents": .events, "LambdaEventSamples": .events, "HTTPProblem": .events,
        "AWSCore": .awsClients, "AWSDynamoDB": .awsClients, "AWSSNS": .awsClients, "AWSSQS": .awsClients,
        "AWSEventBridge": .awsClients,
        "CloudEvents": .domain, "Idempotency": .domain, "EventProcessing": .domain, "PublishFunction": .domain,
        "ProcessFunction": .domain, "StoreFunction": .domain, "NotifyFunction": .domain, "RollupFunction": .domain,
        "QueryFunction": .domain,
        "LambdaTesting": .testingKit, "IdempotencyTesting": .testingKit,
        "LoopbackHTTP": .developerTool, "CSpawn": .developerTool, "LambdaEmulator": .developerTool,
        "LocalPipeline": .developerTool, "CLibcryptoRSA": .developerTool, "LambdaPackaging": .developerTool,
        "LambdaLocal": .developerTool,
    ]

    /// What a layer may depend on, besides itself and swift-log.
    var allowed: Set<Layer> {
        switch self {
        case .leaves: []
        case .http: [.leaves]
        case .runtime: [.http, .leaves]
        case .events: [.leaves]
        case .awsClients: [.http, .leaves]
        case .domain: [.runtime, .events, .awsClients, .http, .leaves]
        case .functions: [.domain, .runtime, .events, .awsClients, .http, .leaves]
        case .testingKit: [.domain, .runtime, .events, .awsClients, .http, .leaves]
        // Never the testing kit: the tool plays AWS, it does not fake it.
        case .developerTool: [.domain, .runtime, .events, .awsClients, .http, .leaves]
        case .tests: Set(Layer.allCases)
        }
    }

    /// Other packages' products a layer may use.
    var allowedProducts: Set<String> {
        switch self {
        case .developerTool: ["swift-log:Logging", "swift-argument-parser:ArgumentParser", "Yams:Yams"]
        case .tests:
            [
                "swift-log:Logging", "swift-argument-parser:ArgumentParser", "Yams:Yams",
                "swift-property-based:PropertyBased",
            ]
        default: ["swift-log:Logging"]
        }
    }
}

/// Keeps the package graph as DESIGN.md draws it. Checked to fail: adding "LambdaTesting" to
/// echo's dependencies fails `noBootstrapReachesTheToolOrTheTestingKit` and
/// `everyDependencyPointsDownward` (functions may not import the testing kit); adding
/// "AWSCore" to LambdaEvents fails the second (events may import only leaves).
@Suite struct PackageGraphTests {
    let graph = PackageGraph.current

    @Test func everyLibraryTargetHasALayer() {
        let unplaced = graph.targets.values.filter { Layer.of($0) == nil }.map(\.name).sorted()
        #expect(unplaced.isEmpty, "place these in Layer.assignments (and in DESIGN.md's table): \(unplaced)")
    }

    @Test func everyDependencyPointsDownward() {
        var violations: [String] = []
        for target in graph.targets.values {
            guard let layer = Layer.of(target) else { continue }
            for dependency in target.dependencies {
                if dependency.contains(":") {
                    if !layer.allowedProducts.contains(dependency) {
                        violations.append("\(target.name) (\(layer)) → \(dependency)")
                    }
                    continue
                }
                guard let other = graph.targets[dependency], let otherLayer = Layer.of(other) else { continue }
                if otherLayer != layer, !layer.allowed.contains(otherLayer) {
                    violations.append("\(target.name) (\(layer)) → \(dependency) (\(otherLayer))")
                }
            }
        }
        #expect(violations.sorted().isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }

    @Test func noBootstrapReachesTheToolOrTheTestingKit() {
        #expect(!graph.bootstraps.isEmpty)
        for bootstrap in graph.bootstraps {
            let forbidden = graph.closure(of: bootstrap).filter { name in
                guard let target = graph.targets[name] else { return !Layer.functions.allowedProducts.contains(name) }
                return [.testingKit, .developerTool, .tests].contains(Layer.of(target))
            }
            #expect(forbidden.isEmpty, "\(bootstrap) reaches \(forbidden.sorted())")
        }
    }
}

/// What a bootstrap loads. Checked to fail: `import Foundation` in functions/echo/main.swift
/// makes echo load libFoundation.so and fails this test.
@Suite struct BootstrapLinkTests {
    static let forbidden = [
        "libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so", "libicu",
    ]

    @Test(arguments: PackageGraph.current.bootstraps)
    func loadsNeitherFullFoundationNorICU(_ bootstrap: String) throws {
        let ldd = try run(["/usr/bin/ldd", Products.path(bootstrap)])
        #expect(ldd.status == 0, "\(ldd.output)")
        let loaded = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let offending = loaded.filter { line in Self.forbidden.contains { line.hasPrefix($0) } }
        #expect(offending.isEmpty, "\(bootstrap) loads \(offending)")
    }
}

/// The AWS clients' request and response shapes are generated from the service models botocore
/// ships; the committed files must be what the generator writes now.
@Suite struct GeneratedShapesTests {
    @Test func theCommittedShapesAreWhatTheGeneratorWrites() throws {
        let result = try run(
            ["/usr/bin/env", "python3", "scripts/generate-aws-shapes.py", "--check"], directory: repositoryRoot.path)
        #expect(result.status == 0, "run scripts/generate-aws-shapes.py:\n\(result.output)")
    }
}
