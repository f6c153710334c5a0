import Foundation
import TestSupport
import Testing

/// Every input a fuzz target crashed on (`Tests/Fuzz/regressions/<target>-*`, kept once its
/// fix landed) and each target's corpus, replayed through the target's own checks by its plain
/// build: the fuzzing CI does not redo runs, so this is what keeps a fixed crash fixed.
@Suite struct FuzzRegressionTests {
    static let targets = [
        "EventsFuzz", "JSONFuzz", "CloudEventsFuzz", "HTTPRequestFuzz", "RuntimeResponseFuzz", "SigV4Fuzz",
        "AWSErrorFuzz",
    ]
    static let fuzzDirectory = repositoryRoot.appendingPathComponent("Tests/Fuzz")

    static func regressions(of target: String) throws -> [String] {
        let directory = fuzzDirectory.appendingPathComponent("regressions")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(target + "-") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    @Test(arguments: targets)
    func replaysCrashesAndCorpus(target: String) throws {
        let corpus = Self.fuzzDirectory.appendingPathComponent("corpus/\(target)").path
        let corpusFiles = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!corpusFiles.isEmpty, "no corpus for \(target): run make fuzz and commit Tests/Fuzz/corpus")
        let inputs = try Self.regressions(of: target) + [corpus]
        let result = try run([Products.path(target)] + inputs, environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(result.status == 0, "\(target) failed on an input: \(result.stderr.suffix(2_000))")
        let replayed = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count
        #expect(replayed == corpusFiles.count + (try Self.regressions(of: target)).count)
    }

    /// The regressions are named for a target, so none is silently never replayed.
    @Test func everyRegressionBelongsToATarget() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: Self.fuzzDirectory.appendingPathComponent("regressions").path)
        let orphans = files.filter { file in !Self.targets.contains { file.hasPrefix($0 + "-") } }
        #expect(orphans.isEmpty)
    }
}
