import Foundation
import LambdaRuntime
import LambdaTesting
import Testing

/// The handler README's examples name; `Order` and `Receipt` are the ones the pipeline tests use.
struct Pricing: LambdaHandler {
    let table: String

    func handle(_ order: Order, context: LambdaContext) async throws -> Receipt {
        Receipt(orderID: order.id, total: order.quantity * 5)
    }
}

// BEGIN README: Unit-test a function
@Test func pricesAnOrder() async throws {
    let logs = CapturedLogs()
    let context = LambdaContext.testing(requestID: "req-1", timeout: .seconds(3), logs: logs)
    let outcome = await LambdaTest.invoke(
        Pricing(table: "prices"), json: #"{"id":"o-1","quantity":3}"#, context: context)
    #expect(try outcome.decode(as: Receipt.self) == Receipt(orderID: "o-1", total: 15))

    let bad = await LambdaTest.invoke(Pricing(table: "prices"), json: #"{"id":"o-1"}"#)
    #expect(bad.error?.errorType == "Runtime.UnmarshalError")
}
// END README

@Test func readmeShowsTheCompiledUnitTestExample() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
    let begin = try #require(source.range(of: "// BEGIN README: Unit-test a function\n"))
    let end = try #require(source.range(of: "// END README"))
    let example = String(source[begin.upperBound..<end.lowerBound])
    #expect(readme.contains(example), "README's unit-test example has drifted from this compiled copy")
}
