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
    public var tools: ToolRunner

    public init(swift: String = "swift", scratchPath: String = ".build-release", tools: ToolRunner = ToolRunner()) {
        self.swift = Tool(name: swift, purpose: "build the functions", installHint: "https://www.swift.org/install")
        self.scratchPath = scratchPath
        self.tools = tools
    }

    public var arguments: [String] {
        ["build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratchPath]
    }

    /// Builds `products` (one `swift build` each: SwiftPM builds one product or all) and
    /// returns the directory holding the binaries.
    public func build(_ products: [String], log: (String) -> Void = { _ in }) throws(PackagingError) -> String {
        for product in products {
            log("building \(product): \(swift.name) \((arguments + ["--product", product]).joined(separator: " "))")
            try tools.runShowingOutput(swift, arguments + ["--product", product])
        }
        return try binaryDirectory()
    }

    public func binaryDirectory() throws(PackagingError) -> String {
        try tools.run(swift, arguments + ["--show-bin-path"]).standardOutput.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }
}
