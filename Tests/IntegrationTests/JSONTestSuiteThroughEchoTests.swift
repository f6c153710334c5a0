import Foundation
import JSONCoding
import LambdaEmulator
import TestSupport
import Testing

/// JSONTestSuite (RFC 8259's conformance cases) fed to a real echo bootstrap as events, through
/// the Runtime API emulator: what a caller of a deployed function would see. `y_` documents come
/// back as the same value, `n_` documents are `Runtime.UnmarshalError`, `i_` documents get the
/// decision JSONCoding states in `Document.swift`, and one process answers them all (no crash,
/// no hang, no re-initialization).
@Suite(.serialized) struct JSONTestSuiteThroughEchoTests {
    static let directory = repositoryRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/peer-tests/json/test_parsing")

    @Test func everyFileThroughEcho() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter {
            $0.hasSuffix(".json")
        }.sorted()
        try #require(names.count >= 300, "JSONTestSuite not found at \(Self.directory.path)")
        let lambda = try faultyLambda(product: "echo", timeout: .seconds(5))
        defer { lambda.shutdown() }
        var counts: [Character: (accepted: Int, refused: Int)] = [:]
        for (index, name) in names.enumerated() {
            let document = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
            let report = lambda.invoke(document)
            #expect(index == 0 || report.initDuration == nil, "\(name): the bootstrap was started again")
            let kind = name.first!
            let expectedValue = try? JSON.decode(JSONValue.self, from: document)
            switch report.result {
            case .response(let body):
                counts[kind, default: (0, 0)].accepted += 1
                #expect(kind != "n", "\(name): an invalid document was accepted")
                // The same JSON value; a number with an exponent (`0e1`, `1E2`) comes back in its
                // shortest form (`0`, `100`), which firstDifference counts as equal.
                let echoed = try? JSON.decode(JSONValue.self, from: body)
                #expect(
                    echoed != nil && expectedValue.map { echoed!.firstDifference(from: $0) == nil } == true,
                    "\(name): echoed \(String(decoding: body.prefix(200), as: UTF8.self))")
            case .functionError(let error):
                counts[kind, default: (0, 0)].refused += 1
                #expect(kind != "y", "\(name): a valid document was refused: \(error)")
                #expect(error.errorType == "Runtime.UnmarshalError", "\(name): \(error)")
                #expect(error.errorMessage.contains("at byte "), "\(name): no byte offset in \(error.errorMessage)")
                #expect(expectedValue == nil, "\(name): refused by echo but accepted by JSON.decode")
            default:
                Issue.record("\(name): \(report.result)")
            }
        }
        print("JSONTestSuite through echo: \(counts.sorted { $0.key < $1.key }.map { "\($0.key)_ \($0.value)" })")
        #expect(counts["y"]?.refused == 0 && counts["n"]?.accepted == 0)
    }
}
