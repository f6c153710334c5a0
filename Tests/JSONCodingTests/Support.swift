import Foundation
import JSONCoding
import Testing

/// The repository's root: three levels above this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// JSONTestSuite's parsing cases: `shared/` beside the repository (the worktree's `../shared`).
let testSuiteDirectory = repositoryRoot.deletingLastPathComponent().appendingPathComponent(
    "shared/peer-tests/json/test_parsing")

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// The syntax error under a decoding error, if that is what `body` threw.
func syntaxError(_ body: () throws -> Void) -> (JSONSyntaxError, [any CodingKey])? {
    do {
        try body()
        return nil
    } catch let DecodingError.dataCorrupted(context) {
        guard let syntax = context.underlyingError as? JSONSyntaxError else { return nil }
        return (syntax, context.codingPath)
    } catch {
        return nil
    }
}

func pathString(_ path: [any CodingKey]) -> String {
    JSONPath.from(path)
}
