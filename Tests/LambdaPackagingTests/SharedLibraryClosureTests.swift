import Foundation
import LambdaPackaging
import Testing

@Suite struct SharedLibraryClosureTests {
    @Test func x86_64ClosureLeavesOutTheVDSOAndFindsTheLoader() throws {
        let output = """
            \tlinux-vdso.so.1 (0x00007ffc1a5f2000)
            \tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f8f57ac5000)
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f8f5661e000)
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f8f57b87000)
            \tlibnghttp2.so.14 => /lib/x86_64-linux-gnu/libnghttp2.so.14 (0x00007f8f56ad1000)
            """
        let closure = try SharedLibraryClosure.parse(lddOutput: output, binary: "echo")
        #expect(
            closure.loader == LinkedLibrary(name: "/lib64/ld-linux-x86-64.so.2", path: "/lib64/ld-linux-x86-64.so.2"))
        #expect(closure.loader?.fileName == "ld-linux-x86-64.so.2")
        #expect(closure.libraries.map(\.name) == ["libcurl.so.4", "libc.so.6", "libnghttp2.so.14"])
        #expect(
            closure.libraries.map(\.path) == [
                "/lib/x86_64-linux-gnu/libcurl.so.4", "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib/x86_64-linux-gnu/libnghttp2.so.14",
            ])
        #expect(closure.architecture == "x86_64")
        #expect(!closure.isStatic)
    }

    @Test func aarch64LoaderPrintedWithAnArrowIsStillTheLoader() throws {
        let output = """
            \tlinux-vdso.so.1 (0x0000ffff9a5d6000)
            \tlibc.so.6 => /lib/aarch64-linux-gnu/libc.so.6 (0x0000ffff9a3f0000)
            \t/lib/ld-linux-aarch64.so.1 => /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 (0x0000ffff9a599000)
            """
        let closure = try SharedLibraryClosure.parse(lddOutput: output, binary: "echo")
        #expect(
            closure.loader
                == LinkedLibrary(
                    name: "/lib/ld-linux-aarch64.so.1", path: "/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"))
        #expect(closure.libraries.map(\.fileName) == ["libc.so.6"])
        #expect(closure.architecture == "arm64")
    }

    @Test func unresolvedLibrariesAreNamed() {
        let output = """
            \tlinux-vdso.so.1 (0x00007ffc1a5f2000)
            \tlibcurl.so.4 => not found
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f8f5661e000)
            \tlibssl.so.3 => not found
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f8f57b87000)
            """
        #expect(throws: PackagingError.unresolvedLibraries(binary: "publish", names: ["libcurl.so.4", "libssl.so.3"])) {
            try SharedLibraryClosure.parse(lddOutput: output, binary: "publish")
        }
    }

    @Test func staticBinaryNeedsNothing() throws {
        #expect(try SharedLibraryClosure.parse(lddOutput: "\tnot a dynamic executable\n", binary: "x").isStatic)
        #expect(try SharedLibraryClosure.parse(lddOutput: "\tstatically linked\n", binary: "x").isStatic)
    }

    @Test func librariesWithoutALoaderAreAnError() {
        #expect(throws: PackagingError.noDynamicLoader(binary: "x")) {
            try SharedLibraryClosure.parse(
                lddOutput: "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n", binary: "x")
        }
    }
}

@Suite struct ToolTests {
    @Test func aMissingToolIsNamedWithWhatItIsForAndHowToGetIt() throws {
        let nowhere = ToolRunner(searchPath: ["/nonexistent-\(UInt64.random(in: 0...UInt64.max))"])
        let packager = LambdaPackager(tools: nowhere)
        let error = try #require(throws: PackagingError.self) { try packager.checkTools() }
        guard case .missingTool(let name, _, _) = error else {
            Issue.record("expected missingTool, got \(error)")
            return
        }
        #expect(name == "ldd")
        #expect(error.description.contains("'ldd' is not on PATH"))

        let onlyLdd = ToolRunner(searchPath: ["/usr/bin"])
        #expect(
            throws: PackagingError.missingTool(
                name: "patchelf", purpose: Tool.patchelf.purpose, installHint: Tool.patchelf.installHint)
        ) {
            try ToolRunner(searchPath: ["/nonexistent"]).locate(.patchelf)
        }
        #expect(try onlyLdd.locate(.ldd) == "/usr/bin/ldd")
    }

    @Test func aFailingToolReportsItsStatusAndOutput() {
        let runner = ToolRunner()
        let error = #expect(throws: PackagingError.self) {
            try runner.run(.ldd, ["/nonexistent/binary"])
        }
        guard case .toolFailed(let command, let status, let output)? = error else {
            Issue.record("expected toolFailed, got \(String(describing: error))")
            return
        }
        #expect(command.last == "/nonexistent/binary")
        #expect(status != 0)
        #expect(output.contains("No such file"))
    }

    @Test func functionsAreTheFoldersHoldingAMainSwift() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("functions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["store", "echo", "statemachine"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: "\(root)/store/main.swift", contents: Data())
        _ = FileManager.default.createFile(atPath: "\(root)/echo/main.swift", contents: Data())
        _ = FileManager.default.createFile(atPath: "\(root)/template.yaml", contents: Data())
        #expect(try discoverFunctions(in: root) == ["echo", "store"])
        #expect(throws: PackagingError.noFunctions(directory: "\(root)/statemachine")) {
            try discoverFunctions(in: "\(root)/statemachine")
        }
    }
}
