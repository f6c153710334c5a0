// swift-tools-version:6.0
import PackageDescription

// Deployment builds link the minimal static libcurl of scripts/build-minimal-curl.sh, and
// OpenSSL statically with it: `lambda-local package` sets this to its prefix. Development builds
// link the system's libcurl, which needs no build of its own.
let staticCurl = Context.environment["LAMBDA_KIT_STATIC_CURL"]

let package = Package(
    name: "swift-lambda-kit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "LambdaEvents", targets: ["LambdaEvents"]),
        .library(name: "LambdaTesting", targets: ["LambdaTesting"]),
        .library(name: "LambdaEmulator", targets: ["LambdaEmulator"]),
        .library(name: "LambdaPackaging", targets: ["LambdaPackaging"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "AWSDynamoDB", targets: ["AWSDynamoDB"]),
        .library(name: "AWSSNS", targets: ["AWSSNS"]),
        .library(name: "AWSSQS", targets: ["AWSSQS"]),
        .library(name: "AWSEventBridge", targets: ["AWSEventBridge"]),
        .executable(name: "lambda-local", targets: ["LambdaLocal"]),
        .executable(name: "echo", targets: ["echo"]),
        .executable(name: "stream", targets: ["stream"]),
        .library(name: "CloudEvents", targets: ["CloudEvents"]),
        .library(name: "Idempotency", targets: ["Idempotency"]),
        .library(name: "IdempotencyTesting", targets: ["IdempotencyTesting"]),
        .library(name: "EventProcessing", targets: ["EventProcessing"]),
        .executable(name: "publish", targets: ["publish"]),
        .executable(name: "process", targets: ["process"]),
        .executable(name: "rollup", targets: ["rollup"]),
        .executable(name: "store", targets: ["store"]),
        .executable(name: "notify", targets: ["notify"]),
        .executable(name: "query", targets: ["query"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // YAML for reading SAM templates in the developer tool; never linked into a bootstrap.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        // Property-based tests of the JSON coder (a test dependency only).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        // HTTP: libcurl and one small blocking client over it.
        .target(
            name: "CCurl",
            linkerSettings: staticCurl.map { prefix in
                [
                    .unsafeFlags(["-L\(prefix)/lib"]), .linkedLibrary("curl"), .linkedLibrary("ssl"),
                    .linkedLibrary("crypto"),
                ]
            } ?? [.linkedLibrary("curl")]),
        .target(name: "LambdaHTTP", dependencies: ["CCurl"]),

        // Leaves: one concern each, used by several layers above; nothing of the kit below them
        // but the C shims (Hashing's hex digests aside, which TextEncodings does not need).
        .target(name: "JSONCoding"),
        .target(name: "UTCTime"),
        .target(name: "TextEncodings"),
        .target(name: "CLibcrypto", linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]),
        .target(name: "Hashing", dependencies: ["CLibcrypto"]),
        // RS256 for the local API's JWT authorizer: the developer tool's only, never a bootstrap's.
        .target(name: "CLibcryptoRSA", linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]),

        // Events: Codable models, no I/O.
        .target(name: "LambdaEvents", dependencies: ["JSONCoding", "UTCTime", "TextEncodings"]),
        // RFC 9457 problem documents: the API functions' error answers. A module of its own so
        // that only the functions answering HTTP link it.
        .target(name: "HTTPProblem", dependencies: ["JSONCoding", "LambdaEvents"]),

        // Runtime: the Runtime API loop, context, errors, logs.
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "LambdaHTTP",
                "JSONCoding",
                "UTCTime",
                "TextEncodings",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Events for tests and `lambda-local events generate`: realistic samples, built through the
        // same constructors that turn real requests and messages into events.
        .target(name: "LambdaEventSamples", dependencies: ["LambdaEvents", "Hashing", "TextEncodings", "UTCTime"]),
        .target(
            name: "LambdaTesting",
            dependencies: ["LambdaRuntime", "LambdaEvents", "LambdaEventSamples", "LambdaHTTP", "JSONCoding"]),

        // AWS clients: SigV4 over libcrypto (already loaded by libcurl), retries, a circuit
        // breaker, and the few operations of each service the functions need.
        .target(
            name: "AWSCore",
            dependencies: [
                "LambdaHTTP",
                "JSONCoding",
                "Hashing",
                "TextEncodings",
                "UTCTime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "AWSDynamoDB", dependencies: ["AWSCore", "JSONCoding", "TextEncodings", "UTCTime"]),
        .target(name: "AWSSNS", dependencies: ["AWSCore", "TextEncodings"]),
        .target(name: "AWSSQS", dependencies: ["AWSCore", "LambdaHTTP"]),
        .target(name: "AWSEventBridge", dependencies: ["AWSCore", "UTCTime"]),

        // Developer tool: never linked into a bootstrap.
        .target(name: "LoopbackHTTP", dependencies: ["LambdaHTTP", "TextEncodings"]),
        .target(name: "CSpawn"),
        .target(
            name: "LambdaEmulator",
            dependencies: ["CSpawn", "LoopbackHTTP", "LambdaRuntime", "LambdaEvents", "UTCTime", "TextEncodings"]),
        .target(name: "LambdaPackaging"),
        // The whole system locally: API, event source mappings, DLQ replay, fault proxy, provisioning.
        .target(
            name: "LocalPipeline",
            dependencies: [
                "LambdaEmulator", "LoopbackHTTP", "LambdaHTTP", "LambdaEvents", "LambdaRuntime", "TextEncodings",
                "Hashing", "CLibcryptoRSA",
                "AWSCore", "AWSSQS", "AWSSNS", "AWSDynamoDB", "AWSEventBridge",
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "LambdaLocal",
            dependencies: [
                "LambdaEmulator",
                "LocalPipeline",
                "AWSCore",
                "LambdaEvents",
                "LambdaEventSamples",
                "LambdaPackaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Domain: the CloudEvents envelope, the idempotent store, SQS batches of events, and
        // the pure logic of each function over client protocols.
        .target(
            name: "CloudEvents", dependencies: ["LambdaEvents", "JSONCoding", "Hashing", "UTCTime", "TextEncodings"]),
        // CloudWatch Embedded Metric Format lines, flushed once per invocation.
        .target(name: "LambdaMetrics", dependencies: ["LambdaRuntime", "JSONCoding", "UTCTime"]),
        .target(
            name: "Idempotency",
            dependencies: ["AWSDynamoDB", "LambdaRuntime", "JSONCoding", "TextEncodings", "UTCTime"]),
        .target(name: "IdempotencyTesting", dependencies: ["Idempotency"]),
        .target(
            name: "EventProcessing",
            dependencies: [
                "LambdaMetrics",
                "CloudEvents", "LambdaEvents", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "PublishFunction",
            dependencies: [
                "LambdaMetrics", "JSONCoding",
                "CloudEvents", "Idempotency", "AWSSNS", "AWSEventBridge", "LambdaRuntime", "LambdaEvents",
                "HTTPProblem", "TextEncodings", "UTCTime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "ProcessFunction",
            dependencies: [
                "LambdaMetrics",
                "CloudEvents", "EventProcessing", "Idempotency", "AWSDynamoDB", "LambdaRuntime", "UTCTime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "StoreFunction",
            dependencies: [
                "LambdaMetrics",
                "CloudEvents", "EventProcessing", "AWSDynamoDB", "LambdaRuntime", "UTCTime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "RollupFunction",
            dependencies: [
                "LambdaMetrics", "CloudEvents", "Idempotency", "AWSDynamoDB", "AWSEventBridge", "LambdaRuntime",
                "LambdaEvents", "Hashing", "UTCTime", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "NotifyFunction",
            dependencies: [
                "LambdaMetrics", "JSONCoding",
                "CloudEvents", "EventProcessing", "Idempotency", "AWSSNS", "LambdaRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Read-only: what each function above recorded of one event (their key layouts and
        // notify's type patterns are theirs, hence ProcessFunction and NotifyFunction).
        .target(
            name: "QueryFunction",
            dependencies: [
                "LambdaMetrics", "JSONCoding", "Idempotency", "AWSDynamoDB", "ProcessFunction", "NotifyFunction",
                "LambdaRuntime", "LambdaEvents", "HTTPProblem", "TextEncodings", "UTCTime",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Functions: one folder each, a bootstrap binary each.
        .executableTarget(name: "echo", dependencies: ["LambdaRuntime", "JSONCoding"], path: "functions/echo"),
        .executableTarget(name: "stream", dependencies: ["LambdaRuntime", "JSONCoding"], path: "functions/stream"),
        .executableTarget(
            name: "publish", dependencies: ["PublishFunction", "LambdaMetrics"], path: "functions/publish"),
        .executableTarget(
            name: "process", dependencies: ["ProcessFunction", "LambdaMetrics"], path: "functions/process"),
        .executableTarget(name: "store", dependencies: ["StoreFunction", "LambdaMetrics"], path: "functions/store"),
        .executableTarget(name: "rollup", dependencies: ["RollupFunction", "LambdaMetrics"], path: "functions/rollup"),
        .executableTarget(name: "notify", dependencies: ["NotifyFunction", "LambdaMetrics"], path: "functions/notify"),
        .executableTarget(name: "query", dependencies: ["QueryFunction", "LambdaMetrics"], path: "functions/query"),

        .executableTarget(
            name: "RuntimeBenchmark",
            dependencies: ["LambdaEmulator", "LambdaPackaging", "LambdaRuntime", "JSONCoding"],
            path: "Benchmarks/RuntimeBenchmark"),
        .executableTarget(
            name: "PlatformBenchmark", dependencies: ["LambdaEmulator"], path: "Benchmarks/PlatformBenchmark"),
        .executableTarget(
            name: "Capacity", dependencies: ["LocalPipeline", "LambdaEmulator", "LambdaHTTP", "AWSCore"],
            path: "Benchmarks/Capacity"),
        .executableTarget(name: "Soak", dependencies: ["LambdaEmulator", "LambdaHTTP"], path: "Benchmarks/Soak"),
        // libFuzzer targets (Tests/Fuzz/README.md, `make fuzz`): a plain build makes replayers.
        .target(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
        .target(
            name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Tests/Fuzz/FuzzSupport",
            swiftSettings: fuzzingSettings),
        fuzzTarget("EventsFuzz", dependencies: ["LambdaEvents"]),
        fuzzTarget("JSONFuzz", dependencies: ["LambdaRuntime", "LambdaEvents", "JSONCoding"]),
        fuzzTarget("CloudEventsFuzz", dependencies: ["CloudEvents", "LambdaEvents", "LambdaEventSamples"]),
        fuzzTarget("HTTPRequestFuzz", dependencies: ["LoopbackHTTP", "LambdaHTTP"]),
        fuzzTarget("RuntimeResponseFuzz", dependencies: ["LambdaRuntime", "LoopbackHTTP", "LambdaHTTP"]),
        fuzzTarget("SigV4Fuzz", dependencies: ["AWSCore", "LambdaHTTP", "UTCTime"]),
        fuzzTarget("AWSErrorFuzz", dependencies: ["AWSCore", "LambdaHTTP"]),
        .executableTarget(
            name: "EventsBenchmark", dependencies: ["LambdaEvents", "JSONCoding"], path: "Benchmarks/EventsBenchmark",
            exclude: ["json_bench.py"]),
        .executableTarget(
            name: "PackageBenchmark", dependencies: ["LambdaEmulator", "LambdaPackaging"],
            path: "Benchmarks/PackageBenchmark"),
        .executableTarget(
            name: "AWSClientsProbe", dependencies: ["AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge"],
            path: "Benchmarks/AWSClientsProbe"),

        // The runtime's misbehaving test subject: throws, sleeps, crashes, answers too much on request.
        .executableTarget(
            name: "faulty", dependencies: ["LambdaRuntime", "LambdaEvents", "LambdaHTTP"], path: "Tests/Fixtures/faulty"
        ),
        .executableTarget(
            name: "background", dependencies: ["LambdaRuntime", "LambdaEvents"], path: "Tests/Fixtures/background"),

        // What the test targets share: where the products are, the AWS endpoint, child processes, captured logs.
        .target(
            name: "TestSupport",
            dependencies: ["AWSCore", "LambdaHTTP", "LoopbackHTTP", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        // The package graph as DESIGN.md draws it, and what the bootstraps load.
        .testTarget(
            name: "ArchitectureTests",
            dependencies: [
                "TestSupport", "echo", "stream", "publish", "process", "store", "notify", "rollup", "query",
            ]),
        // Replays the fuzz targets' corpora and crash inputs through their plain builds, which
        // `swift build --build-tests` makes (a dependency would link seven LLVMFuzzerTestOneInput).
        .testTarget(name: "FuzzRegressionTests", dependencies: ["TestSupport"]),
        .testTarget(name: "LambdaHTTPTests", dependencies: ["LambdaHTTP", "LoopbackHTTP"]),
        .testTarget(name: "LoopbackHTTPTests", dependencies: ["TestSupport", "LoopbackHTTP", "LambdaHTTP"]),
        .testTarget(
            name: "LambdaRuntimeTests",
            dependencies: ["LambdaRuntime", "LambdaHTTP", "LambdaTesting", "LambdaEvents", "LoopbackHTTP"]),
        .testTarget(
            name: "LambdaEventsTests",
            dependencies: [
                "LambdaEvents", "LambdaTesting", "UTCTime", "JSONCoding",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "AWSCoreTests", dependencies: ["TestSupport", "AWSCore", "LoopbackHTTP", "UTCTime", "Hashing"]),
        .testTarget(
            name: "LambdaMetricsTests", dependencies: ["LambdaMetrics", "LambdaRuntime", "LambdaTesting", "UTCTime"]),
        .testTarget(name: "LeafTests", dependencies: ["UTCTime", "Hashing", "TextEncodings", "JSONCoding"]),
        .testTarget(
            name: "JSONCodingTests",
            dependencies: ["JSONCoding", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "AWSDynamoDBTests", dependencies: ["TestSupport", "AWSDynamoDB", "LoopbackHTTP", "UTCTime"]),
        .testTarget(name: "AWSSNSTests", dependencies: ["TestSupport", "AWSSNS", "LoopbackHTTP"]),
        .testTarget(name: "AWSSQSTests", dependencies: ["TestSupport", "AWSSQS", "LoopbackHTTP", "LambdaHTTP"]),
        .testTarget(name: "AWSEventBridgeTests", dependencies: ["AWSEventBridge", "UTCTime"]),
        .testTarget(
            name: "AWSIntegrationTests",
            dependencies: ["TestSupport", "AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge", "UTCTime", "LambdaHTTP"]),
        .testTarget(
            name: "LambdaPackagingTests",
            dependencies: ["TestSupport", "LambdaPackaging", "LambdaEmulator", "LambdaEvents"]),
        .testTarget(
            name: "LocalPipelineTests",
            dependencies: ["TestSupport", "LocalPipeline", "LambdaEmulator", "LoopbackHTTP", "Hashing", "echo"]),
        // The whole system under faults: needs the four function binaries built beside it.
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "TestSupport", "LocalPipeline", "LambdaHTTP", "UTCTime", "publish", "process", "store", "notify",
                "rollup", "query",
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport", "LambdaEmulator", "LambdaHTTP", "LoopbackHTTP", "JSONCoding", "echo", "faulty", "stream",
                "background", "LambdaLocal",
            ]),
        .testTarget(
            name: "DomainTests",
            dependencies: [
                "TestSupport", "CloudEvents", "Idempotency", "IdempotencyTesting", "EventProcessing",
                "PublishFunction", "ProcessFunction", "StoreFunction", "NotifyFunction", "RollupFunction",
                "QueryFunction", "HTTPProblem", "LambdaTesting", "UTCTime",
            ]),
        .testTarget(
            name: "DomainIntegrationTests",
            dependencies: [
                "TestSupport",
                "LambdaEmulator", "LoopbackHTTP", "CloudEvents", "AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge",
                "LambdaTesting",
                "Idempotency", "NotifyFunction", "publish", "process", "store", "notify", "query", "LambdaLocal",
            ]),
    ],
    swiftLanguageModes: [.v6]
)

/// `make fuzz` sets LAMBDA_FUZZING=1: FuzzSupport then hands each target's entry point to
/// libFuzzer's driver instead of replaying files (a manifest define reaches every compile job).
var fuzzingSettings: [SwiftSetting] { Context.environment["LAMBDA_FUZZING"] == "1" ? [.define("FUZZING")] : [] }

/// A libFuzzer target: one file with its checks (`fuzzOne`) and its `<name>_main`, parsed as
/// a library so that its globals are declarations, not a script's top-level code.
func fuzzTarget(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport"] + dependencies, path: "Tests/Fuzz/\(name)",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}
