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
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "AWSDynamoDB", targets: ["AWSDynamoDB"]),
        .library(name: "AWSSNS", targets: ["AWSSNS"]),
        .library(name: "AWSSQS", targets: ["AWSSQS"]),
        .library(name: "AWSEventBridge", targets: ["AWSEventBridge"]),
        .executable(name: "lambda-local", targets: ["LambdaLocal"]),
        .executable(name: "echo", targets: ["echo"]),
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

        // Events: Codable models, no I/O.
        .target(name: "LambdaEvents"),

        // Runtime: the Runtime API loop, context, errors, logs.
        .target(name: "LambdaRuntime", dependencies: [
            "LambdaHTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LambdaTesting", dependencies: ["LambdaRuntime", "LambdaEvents"]),

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
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Functions: one folder each, a bootstrap binary each.
        .executableTarget(name: "echo", dependencies: ["LambdaRuntime", "LambdaEvents"], path: "functions/echo"),

        .executableTarget(name: "RuntimeBenchmark", dependencies: ["LambdaEmulator"], path: "Benchmarks/RuntimeBenchmark"),
        .executableTarget(name: "EventsBenchmark", dependencies: ["LambdaEvents"], path: "Benchmarks/EventsBenchmark", exclude: ["json_bench.py"]),
        .executableTarget(
            name: "AWSClientsProbe", dependencies: ["AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge"], path: "Benchmarks/AWSClientsProbe"),

        .testTarget(name: "LambdaHTTPTests", dependencies: ["LambdaHTTP", "LoopbackHTTP"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "LambdaTesting", "LambdaEvents"]),
        .testTarget(name: "LambdaEventsTests", dependencies: ["LambdaEvents", "LambdaTesting"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "LoopbackHTTP"]),
        .testTarget(name: "AWSDynamoDBTests", dependencies: ["AWSDynamoDB", "LoopbackHTTP"]),
        .testTarget(name: "AWSSNSTests", dependencies: ["AWSSNS", "LoopbackHTTP"]),
        .testTarget(name: "AWSSQSTests", dependencies: ["AWSSQS", "LoopbackHTTP"]),
        .testTarget(name: "AWSEventBridgeTests", dependencies: ["AWSEventBridge", "LoopbackHTTP"]),
        .testTarget(name: "AWSIntegrationTests", dependencies: ["AWSDynamoDB", "AWSSNS", "AWSSQS", "AWSEventBridge"]),
        .testTarget(name: "LocalPipelineTests", dependencies: ["LocalPipeline", "LambdaEmulator", "LoopbackHTTP", "echo"]),
        .testTarget(name: "IntegrationTests", dependencies: ["LambdaEmulator", "LambdaHTTP", "echo", "LambdaLocal"]),
    ],
    swiftLanguageModes: [.v6]
)
