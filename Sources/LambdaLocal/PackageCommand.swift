import ArgumentParser
import Foundation
import LambdaPackaging

struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build functions for release and zip each as a self-contained Lambda bootstrap.",
        discussion: """
            Builds each function with the Swift standard library linked statically, then \
            writes <output>/<function>.zip holding `bootstrap` (the stripped binary) and \
            lib/ (every shared library it loads, and the dynamic loader). The bootstrap's \
            interpreter is the bundled loader, so the zip starts on provided.al2 and \
            provided.al2023 alike, whatever their glibc. Needs ldd, strip, patchelf and zip.
            """)

    @Argument(help: "The functions to package. Default: every folder of --functions-directory holding a main.swift.")
    var functions: [String] = []

    @Option(help: ArgumentHelp("Where the function folders are.", valueName: "dir"))
    var functionsDirectory = "functions"

    @Option(help: ArgumentHelp("Where the zips go.", valueName: "dir"))
    var output = "dist"

    @Option(
        help: ArgumentHelp(
            "The swift command to build with (a wrapper such as a build lock works too).", valueName: "command"))
    var swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"

    @Option(help: ArgumentHelp("SwiftPM's scratch path for the release build.", valueName: "dir"))
    var scratchPath = ".build-release"

    @Option(
        help: ArgumentHelp(
            "Link this minimal libcurl (scripts/build-minimal-curl.sh's prefix) and OpenSSL statically.",
            valueName: "prefix"))
    var staticCurl: String?

    @Flag(help: "Package binaries already built in the scratch path, without building.")
    var skipBuild = false

    @Option(
        help: ArgumentHelp("Where Lambda unzips the code; the bundled loader's path starts with it.", valueName: "dir"))
    var taskRoot = "/var/task"

    func run() throws {
        let names = functions.isEmpty ? try discoverFunctions(in: functionsDirectory) : functions
        let packager = LambdaPackager(taskRoot: taskRoot)
        // A missing patchelf should stop us before a long release build, not after it.
        try packager.checkTools()
        let builder = FunctionBuilder(swift: swift, scratchPath: scratchPath, staticCurlPrefix: staticCurl)
        let binaries = skipBuild ? try builder.binaryDirectory() : try builder.build(names, log: printError)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)

        var packaged: [PackagedFunction] = []
        for name in names {
            let result = try packager.package(binary: "\(binaries)/\(name)", name: name, into: output)
            packaged.append(result)
            printError("packaged \(name): \(result.zipPath)")
        }
        print("| function | zip | unzipped | libraries | architecture |")
        print("|---|---:|---:|---:|---|")
        for result in packaged {
            print(
                "| \(result.name) | \(Self.megabytes(result.zipBytes)) | \(Self.megabytes(result.unzippedBytes)) | \(result.libraries.count) | \(result.architecture ?? "static") |"
            )
        }
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
