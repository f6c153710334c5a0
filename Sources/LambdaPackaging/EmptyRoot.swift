import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A root directory holding nothing but an unzipped function, the way Lambda would see
/// it with the operating system taken away: `/var/task` (the zip), `/dev/null`,
/// `/dev/urandom`, an empty `/tmp`, and a mount point for `/proc`. No shell, no C library,
/// no CA bundle unless one is added. Running a bootstrap in it proves the zip carries
/// everything it needs.
///
/// ``command(_:)`` runs a program in it through `unshare`: chroot into the root, `cd
/// /var/task`, and `/proc` mounted inside a mount namespace of the process's own, so the
/// mount vanishes with the process, even if whoever started it crashes first; nothing
/// ever needs unmounting.
public struct EmptyRoot: Sendable {
    public let path: String
    public static let taskRoot = "/var/task"
    private let tools: ToolRunner

    /// Creates the root in a fresh temporary directory and unzips `zip` into its `/var/task`.
    /// Needs root (mknod, and later chroot and mount).
    public init(zip: String, tools: ToolRunner = ToolRunner()) throws(PackagingError) {
        self.tools = tools
        _ = try tools.locate(.unshare)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("empty-root-\(UUID().uuidString)")
        path = base.path
        let root = path
        try fileSystem(root) {
            for directory in ["var/task", "dev", "tmp", "proc"] {
                try FileManager.default.createDirectory(
                    atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
            }
            // Lambda's /tmp is writable by the function's user; keep the sticky bit.
            try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: "\(root)/tmp")
        }
        try makeCharacterDevice("dev/null", major: 1, minor: 3)
        try makeCharacterDevice("dev/urandom", major: 1, minor: 9)
        try tools.run(.unzip, ["-q", zip, "-d", "\(root)\(Self.taskRoot)"])
    }

    /// Adds a file, e.g. a CA bundle at Amazon Linux's path, `/etc/pki/tls/certs/ca-bundle.crt`.
    public func add(_ contents: Data, at absolutePath: String) throws(PackagingError) {
        let destination = URL(fileURLWithPath: path + absolutePath)
        try fileSystem(destination.path) {
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: destination)
        }
    }

    /// Every file and directory in the root, relative to it, sorted: what a test can show is
    /// all there is.
    public func contents() -> [String] {
        (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []).sorted()
    }

    /// The argv that runs `program` (a path inside the root) chrooted in it, from `/var/task`.
    public func command(_ program: String = "\(EmptyRoot.taskRoot)/bootstrap") throws(PackagingError) -> [String] {
        [
            try tools.locate(.unshare), "--mount", "--mount-proc=/proc", "--root=\(path)", "--wd=\(Self.taskRoot)",
            program,
        ]
    }

    /// Deletes the root. Refuses while anything is mounted beneath it (which ``command(_:)``
    /// never leaves behind), since a recursive delete would then reach into the mount.
    public func remove() throws(PackagingError) {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let mountPoints = mounts.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(4).first }
        if let mounted = mountPoints.first(where: { $0.hasPrefix(path + "/") || $0 == path }) {
            throw .fileSystem(path: String(mounted), reason: "still mounted; not deleting \(path)")
        }
        try fileSystem(path) { try FileManager.default.removeItem(atPath: path) }
    }

    private func makeCharacterDevice(_ relative: String, major: UInt32, minor: UInt32) throws(PackagingError) {
        let device = "\(path)/\(relative)"
        // gnu_dev_makedev's encoding for small numbers; the makedev macro does not import.
        let number = dev_t((major & 0xfff) << 8 | (minor & 0xff))
        guard mknod(device, S_IFCHR | 0o666, number) == 0, chmod(device, 0o666) == 0 else {
            throw .fileSystem(
                path: device, reason: "mknod: \(String(cString: strerror(errno))) (creating device nodes needs root)")
        }
    }
}
