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
        var arguments = [
            "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratchPath,
            // Sections no code references are dropped: with static libraries linked in whole,
            // that is most of OpenSSL and the Swift runtime's unused parts.
            "-Xlinker", "--gc-sections",
            // The static-stdlib link exports every symbol for dlsym, which no bootstrap calls;
            // unexported, more of them are dropped and the dynamic symbol table shrinks
            // (0.3 MB off echo; BENCHMARKS.md, "The lightest bootstrap").
            "-Xlinker", "--no-export-dynamic",
            // Functions with identical code folded into one, where no address of theirs is
            // taken (generic specializations, mostly): 130 KB off echo, 30 KB of its zip.
            "-Xlinker", "--icf=safe",
            // A fixed load address: a position-independent bootstrap carries 1.1 MB of relative
            // relocations that the loader reads and applies, dirtying their pages, at every cold
            // start. The zip runs one program in a sandbox of its own.
            "-Xswiftc", "-Xclang-linker", "-Xswiftc", "-no-pie",
            // libgcc stays a shared library on purpose: glibc dlopens libgcc_s.so.1 to unwind
            // a thread in pthread_exit, so linking it in would only add a copy (measured: the
            // bootstrap aborted in the empty root with "libgcc_s.so.1 must be installed").
        ]
        // The static-stdlib link asks for -lstdc++ by name; a directory holding only the static
        // archive, searched first, makes that libstdc++.a (the runtime uses little of it), and
        // the zip carries no 2.2 MB libstdc++.so.6. Without the archive it stays dynamic.
        if let directory = staticLibstdcxxDirectory { arguments += ["-Xlinker", "-L\(directory)"] }
        return arguments
    }

    /// `<scratch>/static-libstdc++`, holding a link to the C compiler's `libstdc++.a`, or `nil`
    /// when there is no such archive (Debian: libstdc++-12-dev; Amazon Linux: libstdc++-static).
    var staticLibstdcxxDirectory: String? {
        let directory = "\(scratchPath)/static-libstdc++"
        let link = "\(directory)/libstdc++.a"
        if FileManager.default.fileExists(atPath: link) { return absolute(directory) }
        guard
            let archive = try? tools.run(
                Tool(name: "cc", purpose: "find libstdc++.a", installHint: "apt-get install g++"),
                ["-print-file-name=libstdc++.a"]
            ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines),
            archive.hasPrefix("/"), FileManager.default.fileExists(atPath: archive)
        else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: archive)
        return FileManager.default.fileExists(atPath: link) ? absolute(directory) : nil
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
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
