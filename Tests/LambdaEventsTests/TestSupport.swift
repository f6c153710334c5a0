import Foundation
import LambdaEvents

/// The repository root: this file is Tests/LambdaEventsTests/TestSupport.swift.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `shared/` is cloned beside the repository.
let peerEventsDirectory = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/peer-events")
let sampleEventsDirectory = repositoryRoot.appendingPathComponent("events")

struct ManifestRow: Sendable {
    var path: String
    var kind: String
    var note: String
    var testDescription: String { path }
}

func readManifest() throws -> [ManifestRow] {
    let text = try String(contentsOf: peerEventsDirectory.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map { line in
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return ManifestRow(path: columns[0], kind: columns[1], note: columns.count > 3 ? columns[3] : "")
    }
}

func json(_ data: some Collection<UInt8>) throws -> JSONValue { try JSONValue(parsing: data) }

func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)) }

func encodeJSON(_ value: some Encodable) throws -> JSONValue {
    try JSONValue(parsing: try JSONEncoder().encode(value))
}
