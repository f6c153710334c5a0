import Foundation

/// The functions of a package: every folder of `functions/` that holds a `main.swift`
/// (an executable target whose product has the folder's name).
public func discoverFunctions(in directory: String) throws(PackagingError) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let functions = entries.filter { FileManager.default.fileExists(atPath: "\(directory)/\($0)/main.swift") }.sorted()
    guard !functions.isEmpty else { throw .noFunctions(directory: directory) }
    return functions
}

/// Builds bootstraps the way a deployment needs them: release, with the Swift standard
/// library (and Foundation) linked statically, so that only C libraries remain to bundle.
public struct FunctionBuilder: Sendable {
    /// `swift`, or a wrapper with the same interface (this repository's CI uses a build lock).
    public var swift: Tool
    /// A scratch path of its own, so that release builds never evict the debug build's.
    public var scratchPath: String
    /// The prefix of scripts/build-minimal-curl.sh's libcurl, to link it and OpenSSL statically;
    /// `nil` links the system's libcurl.
    public var staticCurlPrefix: String?
    public var tools: ToolRunner

    public init(
        swift: String = "swift", scratchPath: String = ".build-release", staticCurlPrefix: String? = nil,
        tools: ToolRunner = ToolRunner()
    ) {
        self.swift = Tool(name: swift, purpose: "build the functions", installHint: "https://www.swift.org/install")
        self.scratchPath = scratchPath
        self.staticCurlPrefix = staticCurlPrefix
        self.tools = tools
    }

    /// The manifest reads `LAMBDA_KIT_STATIC_CURL`; every call must agree on it, or SwiftPM
    /// would see two manifests and rebuild.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let staticCurlPrefix {
            environment["LAMBDA_KIT_STATIC_CURL"] = staticCurlPrefix
        } else {
            environment.removeValue(forKey: "LAMBDA_KIT_STATIC_CURL")
        }
        return environment
    }

    public var arguments: [String] {
        // Sections no code references are dropped: with static libraries linked in whole, that
        // is most of OpenSSL and the Swift runtime's unused parts.
        [
            "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratchPath,
            "-Xlinker", "--gc-sections",
        ]
    }

    /// Builds `products` (one `swift build` each: SwiftPM builds one product or all) and
    /// returns the directory holding the binaries.
    public func build(_ products: [String], log: (String) -> Void = { _ in }) throws(PackagingError) -> String {
        for product in products {
            log("building \(product): \(swift.name) \((arguments + ["--product", product]).joined(separator: " "))")
            try tools.runShowingOutput(swift, arguments + ["--product", product], environment: environment)
        }
        return try binaryDirectory()
    }

    public func binaryDirectory() throws(PackagingError) -> String {
        try tools.run(swift, arguments + ["--show-bin-path"], environment: environment).standardOutput
            .trimmingCharacters(
                in: .whitespacesAndNewlines)
    }
}
