import Foundation
import LambdaPackaging
import TestSupport
import Testing

/// Packages a small dynamically linked system binary (coreutils' echo, which needs
/// libc) and runs it in an empty root: the mechanism of every function zip, checked in
/// `make test` without a release build.
@Suite(.enabled(if: runningAsRoot, "chroot, mknod and mount need root"))
struct LambdaPackagerTests {
    let systemEcho = "/bin/echo"

    @Test func packagedBinaryRunsInAnEmptyRootWithNoSystemLibraries() throws {
        let dist = try temporaryDirectory("dist")
        defer { try? FileManager.default.removeItem(atPath: dist) }
        let packaged = try LambdaPackager().package(binary: systemEcho, name: "coreutils-echo", into: dist)
        #expect(packaged.zipPath == "\(dist)/coreutils-echo.zip")
        #expect(packaged.libraries.contains("libc.so.6"))
        #expect(packaged.libraries.contains { $0.hasPrefix("ld-linux") })
        #expect(packaged.zipBytes > 0 && packaged.zipBytes < packaged.unzippedBytes)

        let root = try EmptyRoot(zip: packaged.zipPath)
        defer { #expect(throws: Never.self) { try root.remove() } }
        // Nothing but the zip, the two devices and the empty mount points: no shell, no /lib.
        let expected =
            ["dev", "dev/null", "dev/urandom", "proc", "tmp", "var", "var/task", "var/task/bootstrap", "var/task/lib"]
            + packaged.libraries.map { "var/task/lib/\($0)" }
        #expect(root.contents() == expected.sorted())
        let interpreter = try programInterpreter("\(root.path)/var/task/bootstrap")
        #expect(interpreter == "/var/task/lib/\(packaged.libraries.first { $0.hasPrefix("ld-linux") }!)")

        let result = try run(try root.command() + ["hello from", "an empty root"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "hello from an empty root\n")
    }

    /// The control: the same binary, unpackaged, cannot start there, so the test above
    /// proves the bundle and not the machine.
    @Test func unpackagedBinaryCannotStartInTheEmptyRoot() throws {
        let dist = try temporaryDirectory("dist")
        defer { try? FileManager.default.removeItem(atPath: dist) }
        try FileManager.default.copyItem(atPath: systemEcho, toPath: "\(dist)/bootstrap")
        let zipped = try run(["/usr/bin/env", "-C", dist, "zip", "-q", "plain.zip", "bootstrap"])
        #expect(zipped.status == 0, "\(zipped.output)")

        let root = try EmptyRoot(zip: "\(dist)/plain.zip")
        defer { #expect(throws: Never.self) { try root.remove() } }
        let result = try run(try root.command() + ["hello"])
        #expect(result.status != 0)
        #expect(result.output.contains("No such file or directory"), "\(result.output)")
    }

    /// Lambda's LD_LIBRARY_PATH lists /lib64, where Amazon Linux keeps its own libc. The
    /// loader searches LD_LIBRARY_PATH before a DT_RUNPATH but after a DT_RPATH, so only a
    /// DT_RPATH keeps the bundled libc first; a decoy libc in /lib64 shows which one wins.
    @Test func bundledLibrariesWinOverLambdasLibraryPath() throws {
        let dist = try temporaryDirectory("dist")
        defer { try? FileManager.default.removeItem(atPath: dist) }
        let packaged = try LambdaPackager().package(binary: systemEcho, name: "e", into: dist)
        let root = try EmptyRoot(zip: packaged.zipPath)
        defer { #expect(throws: Never.self) { try root.remove() } }
        try root.add(Data("not a library".utf8), at: "/lib64/libc.so.6")
        let lambdaLibraryPath =
            "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"
        let result = try run(
            ["/usr/bin/env", "LD_LIBRARY_PATH=\(lambdaLibraryPath)"] + root.command() + ["still", "bundled"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "still bundled\n")
    }

    @Test func zipsOfTheSameBinaryAreIdentical() throws {
        let dist = try temporaryDirectory("dist")
        defer { try? FileManager.default.removeItem(atPath: dist) }
        let first = try LambdaPackager().package(binary: systemEcho, name: "a", into: dist)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first.zipPath))
        Thread.sleep(forTimeInterval: 1.1)  // a later mtime would show in the zip if left as is
        let second = try LambdaPackager().package(binary: systemEcho, name: "a", into: dist)
        #expect(try Data(contentsOf: URL(fileURLWithPath: second.zipPath)) == firstBytes)
    }

    @Test func theRootIsDeletedAndNothingStaysMounted() throws {
        let dist = try temporaryDirectory("dist")
        defer { try? FileManager.default.removeItem(atPath: dist) }
        let packaged = try LambdaPackager().package(binary: systemEcho, name: "e", into: dist)
        let root = try EmptyRoot(zip: packaged.zipPath)
        _ = try run(try root.command() + ["x"])
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(root.path))
        try root.remove()
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }
}
