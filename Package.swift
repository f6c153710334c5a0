// swift-tools-version:6.0
import PackageDescription

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
        .library(name: "CloudEvents", targets: ["CloudEvents"]),
        .library(name: "Idempotency", targets: ["Idempotency"]),
        .library(name: "IdempotencyTesting", targets: ["IdempotencyTesting"]),
        .library(name: "EventProcessing", targets: ["EventProcessing"]),
        .executable(name: "publish", targets: ["publish"]),
        .executable(name: "process", targets: ["process"]),
        .executable(name: "store", targets: ["store"]),
        .executable(name: "notify", targets: ["notify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // YAML for reading SAM templates in the developer tool; never linked into a bootstrap.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        // HTTP: libcurl and one small blocking client over it.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "LambdaHTTP", dependencies: ["CCurl"]),

        // Leaves: one concern each, no dependencies of the kit.
        .target(name: "JSONCoding"),

        // Events: Codable models, no I/O.
        .target(name: "LambdaEvents", dependencies: ["JSONCoding"]),

        // Runtime: the Runtime API loop, context, errors, logs.
        .target(name: "LambdaRuntime", dependencies: [
            "LambdaHTTP",
            "JSONCoding",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LambdaTesting", dependencies: ["LambdaRuntime", "LambdaEvents", "LambdaHTTP"]),

        // AWS clients: SigV4 over libcrypto (already loaded by libcurl), retries, a circuit
        // breaker, and the few operations of each service the functions need.
        .target(name: "CLibcrypto", linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]),
        .target(name: "AWSCore", dependencies: [
            "LambdaHTTP",
            "CLibcrypto",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "AWSDynamoDB", dependencies: ["AWSCore"]),
        .target(name: "AWSSNS", dependencies: ["AWSCore"]),
        .target(name: "AWSSQS", dependencies: ["AWSCore"]),
        .target(name: "AWSEventBridge", dependencies: ["AWSCore"]),

        // Developer tool: never linked into a bootstrap.
        .target(name: "LoopbackHTTP", dependencies: ["LambdaHTTP"]),
        .target(name: "CSpawn"),
        .target(name: "LambdaEmulator", dependencies: ["CSpawn", "LoopbackHTTP", "LambdaRuntime"]),
        .target(name: "LambdaPackaging"),
        // The whole system locally: API, event source mappings, DLQ replay, fault proxy, provisioning.
        .target(name: "LocalPipeline", dependencies: [
            "LambdaEmulator", "LoopbackHTTP", "LambdaHTTP", "LambdaEvents", "LambdaTesting",
            "AWSCore", "AWSSQS", "AWSSNS", "AWSDynamoDB", "AWSEventBridge",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "LambdaLocal", dependencies: [
            "LambdaEmulator",
            "LocalPipeline",
            "AWSCore",
            "LambdaEvents",
            "LambdaTesting",
            "LambdaPackaging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Domain: the CloudEvents envelope, the idempotent store, SQS batches of events, and
        // the pure logic of each function over client protocols.
        .target(name: "CloudEvents", dependencies: ["LambdaEvents", "AWSCore"]),
        .target(name: "Idempotency", dependencies: ["AWSDynamoDB"]),
        .target(name: "IdempotencyTesting", dependencies: ["Idempotency"]),
        .target(name: "EventProcessing", dependencies: [
            "CloudEvents", "LambdaEvents", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PublishFunction", dependencies: [
            "CloudEvents", "EventProcessing", "Idempotency", "AWSSNS", "AWSEventBridge", "LambdaRuntime", "LambdaEvents",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ProcessFunction", dependencies: ["CloudEvents", "EventProcessing", "Idempotency", "AWSDynamoDB", "LambdaRuntime",
            .product(name: "Logging", package: "swift-log")]),
        .target(name: "StoreFunction", dependencies: [
            "CloudEvents", "EventProcessing", "AWSDynamoDB", "LambdaRuntime", .product(name: "Logging", package: "swift-log")]),
        .target(name: "NotifyFunction", dependencies: [
            "CloudEvents", "EventProcessing", "Idempotency", "AWSSNS", "LambdaRuntime", .product(name: "Logging", package: "swift-log")]),

        // Functions: one folder each, a bootstrap binary each.
        .executableTarget(name: "echo", dependencies: ["LambdaRuntime", "LambdaEvents", "LambdaHTTP"], path: "functions/echo"),
        .executableTarget(name: "publish", dependencies: ["PublishFunction"], path: "functions/publish"),
        .executableTarget(name: "process", dependencies: ["ProcessFunction"], path: "functions/process"),
        .executableTarget(name: "store", dependencies: ["StoreFunction"], path: "functions/store"),
        .executableTarget(name: "notify", dependencies: ["NotifyFunction"], path: "functions/notify"),

        .executableTarget(name: "RuntimeBenchmark", dependencies: ["LambdaEmulator"], path: "Benchmarks/RuntimeBenchmark"),
        .executableTarget(name: "EventsBenchmark", dependencies: ["LambdaEvents"], path: "Benchmarks/EventsBenchmark", exclude: ["json_bench.py"]),
        .executableTarget(name: "PackageBenchmark", dependencies: ["LambdaEmulator", "LambdaPackaging"], path: "Benchmarks/PackageBenchmark"),
        .executableTarget(
            name: "AWSClientsProbe", dependencies: ["AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge"], path: "Benchmarks/AWSClientsProbe"),

        // What the test targets share: where the products are, the AWS endpoint, child processes, captured logs.
        .target(
            name: "TestSupport", dependencies: ["AWSCore", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .testTarget(name: "LambdaHTTPTests", dependencies: ["LambdaHTTP", "LoopbackHTTP"]),
        .testTarget(name: "LoopbackHTTPTests", dependencies: ["TestSupport", "LoopbackHTTP", "LambdaHTTP"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "LambdaTesting", "LambdaEvents"]),
        .testTarget(name: "LambdaEventsTests", dependencies: ["LambdaEvents", "LambdaTesting"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["TestSupport", "AWSCore", "LoopbackHTTP"]),
        .testTarget(name: "AWSDynamoDBTests", dependencies: ["AWSDynamoDB", "LoopbackHTTP"]),
        .testTarget(name: "AWSSNSTests", dependencies: ["AWSSNS", "LoopbackHTTP"]),
        .testTarget(name: "AWSSQSTests", dependencies: ["AWSSQS", "LoopbackHTTP"]),
        .testTarget(name: "AWSEventBridgeTests", dependencies: ["AWSEventBridge", "LoopbackHTTP"]),
        .testTarget(name: "AWSIntegrationTests", dependencies: ["TestSupport", "AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge"]),
        .testTarget(name: "LambdaPackagingTests", dependencies: ["TestSupport", "LambdaPackaging", "LambdaEmulator", "LambdaEvents"]),
        .testTarget(name: "LocalPipelineTests", dependencies: ["TestSupport", "LocalPipeline", "LambdaEmulator", "LoopbackHTTP", "echo"]),
        // The whole system under faults: needs the four function binaries built beside it.
        .testTarget(
            name: "PipelineTests", dependencies: ["TestSupport", "LocalPipeline", "LambdaHTTP", "publish", "process", "store", "notify"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "LambdaEmulator", "LambdaHTTP", "echo", "LambdaLocal"]),
        .testTarget(name: "DomainTests", dependencies: [
            "TestSupport", "CloudEvents", "Idempotency", "IdempotencyTesting", "EventProcessing",
            "PublishFunction", "ProcessFunction", "StoreFunction", "NotifyFunction", "LambdaTesting",
        ]),
        .testTarget(name: "DomainIntegrationTests", dependencies: [
            "TestSupport",
            "LambdaEmulator", "LoopbackHTTP", "CloudEvents", "AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge", "LambdaTesting",
            "Idempotency", "NotifyFunction", "publish", "process", "store", "notify", "LambdaLocal",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
