/// Why packaging a function failed, worded so that the user knows what to do next.
public enum PackagingError: Error, Equatable, CustomStringConvertible {
    /// A command-line tool packaging needs is not on `PATH`.
    case missingTool(name: String, purpose: String, installHint: String)
    case toolFailed(command: [String], status: Int32, output: String)
    /// `ldd` could not resolve these libraries: the binary would not start here either.
    case unresolvedLibraries(binary: String, names: [String])
    /// `ldd` listed libraries but no dynamic loader, so there is nothing to start the binary with.
    case noDynamicLoader(binary: String)
    case binaryNotFound(path: String)
    case noFunctions(directory: String)
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingTool(let name, let purpose, let installHint):
            "'\(name)' is not on PATH; packaging needs it to \(purpose). Install it (\(installHint)), or run scripts/install-deps.sh."
        case .toolFailed(let command, let status, let output):
            "\(command.joined(separator: " ")) failed with status \(status)" + (output.isEmpty ? "" : ":\n\(output)")
        case .unresolvedLibraries(let binary, let names):
            "\(binary) needs libraries ldd cannot find on this machine: \(names.joined(separator: ", ")); install them before packaging"
        case .noDynamicLoader(let binary):
            "ldd lists shared libraries for \(binary) but no dynamic loader (ld-linux-*.so.*)"
        case .binaryNotFound(let path):
            "no built binary at \(path)"
        case .noFunctions(let directory):
            "no functions in \(directory): each function is a folder holding a main.swift"
        case .fileSystem(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
