import Foundation
import LambdaRuntime
import LambdaTesting
import Testing

/// The runtime imports no Foundation, but a handler may: its Foundation types decode and encode
/// through the runtime's coder by their own `Codable` conformances (README, "JSON, and
/// Foundation in a handler").
@Suite struct FoundationHandlerTests {
    struct Upload: Codable, Equatable, Sendable {
        var id: UUID
        var at: Date  // seconds since 2001, as Date's own Codable writes it
        var bytes: Data  // an array of numbers, as Data's own Codable writes it
    }

    struct Stamp: LambdaHandler {
        func handle(_ event: Upload, context: LambdaContext) throws -> Upload {
            Upload(id: event.id, at: event.at.addingTimeInterval(60), bytes: event.bytes + Data([9]))
        }
    }

    @Test func foundationTypesGoThroughTheRuntimesCoder() async throws {
        let id = UUID()
        let outcome = await LambdaTest.invoke(
            Stamp(), json: #"{"id":"\#(id.uuidString)","at":786297600.5,"bytes":[1,2]}"#)
        let upload: Upload = try outcome.decode()
        #expect(
            upload == Upload(id: id, at: Date(timeIntervalSinceReferenceDate: 786_297_660.5), bytes: Data([1, 2, 9])))
        // And a value Foundation's own encoder wrote (deferred date, base64 data) is read back
        // where the types agree: the date; the base64 string is not Data's own form.
        let foundation = try JSONEncoder().encode(upload)
        let wrongForm = await LambdaTest.invoke(Stamp(), json: String(decoding: foundation, as: UTF8.self))
        #expect(wrongForm.error?.errorType == "Runtime.UnmarshalError")
        #expect(wrongForm.error?.errorMessage.contains("at $.bytes") == true)
    }
}
