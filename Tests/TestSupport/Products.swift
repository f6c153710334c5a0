import Foundation

/// Where `swift build` put the products: beside the test bundle, unless `LAMBDA_KIT_BIN` says
/// otherwise.
public enum Products {
    public static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["LAMBDA_KIT_BIN"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// The clone the tests were built from: sample events, the SAM template, scripts.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
