import Foundation

/// What packaging one function produced.
public struct PackagedFunction: Sendable, Equatable {
    public var name: String
    public var zipPath: String
    /// The zip's size: what Lambda's 50 MB direct-upload limit applies to.
    public var zipBytes: Int
    /// The unzipped size: what Lambda's 250 MB limit applies to.
    public var unzippedBytes: Int
    /// The bundled libraries' file names, the dynamic loader's included; empty for a static binary.
    public var libraries: [String]
    /// `x86_64` or `arm64`, from the loader; nil for a static binary.
    public var architecture: String?
}

/// Turns a built bootstrap into a Lambda deployment zip for the OS-only runtimes that
/// starts on any Linux kernel, whatever its C library: `provided.al2` (glibc 2.26),
/// `provided.al2023` (glibc 2.34), or an empty root.
///
/// The zip holds
///
///     bootstrap                      the stripped binary, PT_INTERP = /var/task/lib/ld-linux-<arch>.so.N,
///                                    DT_RPATH = $ORIGIN/lib
///     lib/ld-linux-<arch>.so.N       the dynamic loader of the build machine's glibc
///     lib/libc.so.6, libcurl.so.4, … every other library in the binary's ldd closure
///
/// `bootstrap` is the ELF itself, not a script: Lambda execs it directly, and the kernel
/// starts the bundled loader named by its PT_INTERP, so no shell is needed, which is what
/// lets it run in an empty root, and costs no extra exec on a cold start. The loader
/// then finds every library in `lib/` through the binary's DT_RPATH. It is DT_RPATH and
/// not DT_RUNPATH on purpose: Lambda sets `LD_LIBRARY_PATH=…:/lib64:/usr/lib64:…`, which the
/// loader searches *before* DT_RUNPATH but *after* DT_RPATH, so a RUNPATH would let Amazon
/// Linux's own older libc and libcurl in, next to a loader they do not match. DT_RPATH also
/// applies to the libraries' own dependencies, unless a library has a DT_RUNPATH of its
/// own; those few get a DT_RPATH of `$ORIGIN` too.
///
/// The loader's path is absolute (the kernel reads PT_INTERP literally), so the zip runs
/// where Lambda unzips it: `taskRoot`, `/var/task`.
public struct LambdaPackager: Sendable {
    public var tools: ToolRunner
    /// Where Lambda unzips the code: the bundled loader's absolute path begins with it.
    public var taskRoot: String
    public var libraryDirectory = "lib"

    public init(tools: ToolRunner = ToolRunner(), taskRoot: String = "/var/task") {
        self.tools = tools
        self.taskRoot = taskRoot
    }

    /// Every tool ``package(binary:name:into:)`` runs, checked up front so that a missing one
    /// is reported before anything is built or written.
    public static let requiredTools: [Tool] = [.ldd, .strip, .patchelf, .zip]

    public func checkTools() throws(PackagingError) {
        for tool in Self.requiredTools { _ = try tools.locate(tool) }
    }

    /// What the binary loads, from `ldd`.
    public func closure(of binary: String) throws(PackagingError) -> SharedLibraryClosure {
        let output = try tools.run(.ldd, [binary], acceptedStatuses: [0, 1])
        let text = output.standardOutput + output.standardError
        return try SharedLibraryClosure.parse(lddOutput: text, binary: binary)
    }

    /// Packages `binary` as `<directory>/<name>.zip`.
    public func package(binary: String, name: String, into directory: String) throws(PackagingError) -> PackagedFunction
    {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw .binaryNotFound(path: binary) }
        try checkTools()
        let closure = try closure(of: binary)

        let output = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let staging = output.appendingPathComponent(".\(name).staging", isDirectory: true)
        let zip = output.appendingPathComponent("\(name).zip")
        try fileSystem(staging.path) {
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: staging) }

        let bootstrap = staging.appendingPathComponent("bootstrap").path
        try copy(binary, to: bootstrap, permissions: 0o755)
        // Strip before patchelf: strip rewrites the section layout and can undo or break
        // patchelf's relocation of the dynamic section.
        try tools.run(.strip, ["--strip-all", bootstrap])

        var bundled: [String] = []
        if let loader = closure.loader {
            let lib = staging.appendingPathComponent(libraryDirectory, isDirectory: true)
            try fileSystem(lib.path) {
                try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
            }
            try copy(loader.path, to: lib.appendingPathComponent(loader.fileName).path, permissions: 0o755)
            bundled.append(loader.fileName)
            for library in closure.libraries {
                let destination = lib.appendingPathComponent(library.fileName).path
                try copy(library.path, to: destination, permissions: 0o644)
                bundled.append(library.fileName)
                // A library's own DT_RUNPATH would hide the binary's DT_RPATH from its dependencies.
                let rpath = try tools.run(.patchelf, ["--print-rpath", destination]).standardOutput
                if !rpath.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try tools.run(.patchelf, ["--force-rpath", "--set-rpath", "$ORIGIN", destination])
                }
            }
            try tools.run(
                .patchelf,
                [
                    "--set-interpreter", "\(taskRoot)/\(libraryDirectory)/\(loader.fileName)",
                    "--force-rpath", "--set-rpath", "$ORIGIN/\(libraryDirectory)",
                    bootstrap,
                ])
        }

        let entries = ["bootstrap"] + (closure.loader == nil ? [] : [libraryDirectory])
        try normalizeTimestamps(under: staging)
        try fileSystem(zip.path) { try? FileManager.default.removeItem(at: zip) }
        // -X: no extra attributes (uid/gid, extended timestamps), so that the same inputs
        // give the same zip; TZ fixed because zip stores local DOS times.
        try tools.run(
            .zip, ["-q", "-X", "-r", "-9", zip.path] + entries, directory: staging.path,
            environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"])

        return PackagedFunction(
            name: name,
            zipPath: zip.path,
            zipBytes: try size(of: zip.path),
            unzippedBytes: try treeSize(staging),
            libraries: bundled,
            architecture: closure.architecture)
    }

    private func copy(_ source: String, to destination: String, permissions: Int) throws(PackagingError) {
        // Libraries are often symlinks (libc.so.6 → libc-2.36.so); the zip gets the file itself.
        let resolved = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        try fileSystem(destination) {
            try FileManager.default.copyItem(atPath: resolved, toPath: destination)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: destination)
        }
    }

    /// 1980-01-01T00:00:00Z, the zip format's epoch, so zips of the same build are byte-identical.
    private func normalizeTimestamps(under directory: URL) throws(PackagingError) {
        let epoch = Date(timeIntervalSince1970: 315_532_800)
        let files = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
        for relative in files + ["."] {
            let path = directory.appendingPathComponent(relative).path
            try fileSystem(path) {
                try FileManager.default.setAttributes([.modificationDate: epoch], ofItemAtPath: path)
            }
        }
    }

    private func size(of path: String) throws(PackagingError) -> Int {
        try fileSystem(path) {
            ((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue ?? 0
        }
    }

    private func treeSize(_ directory: URL) throws(PackagingError) -> Int {
        var total = 0
        for relative in FileManager.default.enumerator(atPath: directory.path)?.compactMap({ $0 as? String }) ?? [] {
            let path = directory.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                total += try size(of: path)
            }
        }
        return total
    }
}

/// Runs a Foundation file operation, turning its error into a ``PackagingError`` naming the path.
func fileSystem<T>(_ path: String, _ body: () throws -> T) throws(PackagingError) -> T {
    do {
        return try body()
    } catch {
        throw .fileSystem(path: path, reason: "\(error.localizedDescription)")
    }
}
