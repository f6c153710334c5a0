import Foundation

/// One shared library a binary loads, as `ldd` resolved it.
public struct LinkedLibrary: Sendable, Equatable {
    /// The name the loader looks for (the `DT_NEEDED` entry, or the loader's own path).
    public var name: String
    /// Where it lives on this machine.
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// The file name it gets in the zip's `lib/`: the name the loader searches for.
    public var fileName: String {
        name.split(separator: "/").last.map(String.init) ?? name
    }
}

/// Everything a dynamically linked binary needs at run time, from `ldd`'s report.
public struct SharedLibraryClosure: Sendable, Equatable {
    /// The dynamic loader (`PT_INTERP`); nil for a static binary.
    public var loader: LinkedLibrary?
    /// Every other library, in `ldd`'s order; the vDSO is left out, as the kernel provides it.
    public var libraries: [LinkedLibrary]

    public init(loader: LinkedLibrary?, libraries: [LinkedLibrary]) {
        self.loader = loader
        self.libraries = libraries
    }

    public static let staticBinary = SharedLibraryClosure(loader: nil, libraries: [])

    public var isStatic: Bool { loader == nil && libraries.isEmpty }

    /// Lambda's name for the architecture the loader belongs to.
    public var architecture: String? {
        guard let loader = loader?.fileName else { return nil }
        if loader.contains("x86-64") { return "x86_64" }
        if loader.contains("aarch64") { return "arm64" }
        return nil
    }

    /// Reads `ldd`'s output:
    ///
    ///     linux-vdso.so.1 (0x00007ffd...)
    ///     libcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f...)
    ///     libmissing.so.1 => not found
    ///     /lib64/ld-linux-x86-64.so.2 (0x00007f...)
    ///
    /// and, for a static binary, "not a dynamic executable" or "statically linked".
    public static func parse(lddOutput: String, binary: String) throws(PackagingError) -> SharedLibraryClosure {
        if lddOutput.contains("not a dynamic executable") || lddOutput.contains("statically linked") {
            return .staticBinary
        }
        var loader: LinkedLibrary?
        var libraries: [LinkedLibrary] = []
        var unresolved: [String] = []
        for rawLine in lddOutput.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace()
            guard !line.isEmpty else { continue }
            let name: String
            var path: String?
            if let arrow = line.range(of: " => ") {
                name = String(line[..<arrow.lowerBound])
                let target = line[arrow.upperBound...].strippingLoadAddress()
                if target == "not found" {
                    unresolved.append(name)
                    continue
                }
                // Some ldd versions print the loader as "ld-linux... => /lib/...", others bare.
                path = target.isEmpty ? nil : target
            } else {
                name = line.strippingLoadAddress()
            }
            if name.hasPrefix("linux-vdso") || name.hasPrefix("linux-gate") { continue }
            let library = LinkedLibrary(name: name, path: path ?? name)
            if Self.isLoader(library.fileName) {
                loader = library
            } else {
                guard library.path.hasPrefix("/") else { continue }
                libraries.append(library)
            }
        }
        guard unresolved.isEmpty else { throw .unresolvedLibraries(binary: binary, names: unresolved) }
        if loader == nil, !libraries.isEmpty { throw .noDynamicLoader(binary: binary) }
        return SharedLibraryClosure(loader: loader, libraries: libraries)
    }

    static func isLoader(_ fileName: String) -> Bool {
        fileName.hasPrefix("ld-linux") || fileName.hasPrefix("ld64.so") || fileName == "ld.so.1"
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// "name (0x00007f...)" → "name".
    fileprivate func strippingLoadAddress() -> String {
        let text = trimmingWhitespace()
        guard text.hasSuffix(")"), let open = text.range(of: " (0x", options: .backwards) else { return text }
        return String(text[..<open.lowerBound])
    }
}
