import AWSCore
import Foundation
import Testing
import UTCTime

@testable import AWSEventBridge

@Suite struct EventBridgeShapeTests {
    @Test func entriesSendTimeAsEpochSecondsAndOmitAbsentFields() throws {
        let input = EventBridge.PutEventsRequest(entries: [
            .init(
                time: UTCTime(secondsSince1970: 1_700_000_000), source: "s", detailType: "T", detail: "{}",
                eventBusName: "bus")
        ])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(input)) as! [String: Any]
        let entry = (object["Entries"] as! [[String: Any]])[0]
        #expect(entry["Time"] as? Double == 1_700_000_000)
        #expect(Set(entry.keys) == ["Time", "Source", "DetailType", "Detail", "EventBusName"])
        #expect(object["EndpointId"] == nil)
    }

    @Test func failedEntriesAreReportedWithTheirIndex() throws {
        let json =
            #"{"FailedEntryCount":1,"Entries":[{"EventId":"e-1"},{"ErrorCode":"InternalFailure","ErrorMessage":"try again"}]}"#
        let output = try JSONDecoder().decode(EventBridge.PutEventsResponse.self, from: Data(json.utf8))
        #expect(output.failedEntryCount == 1)
        #expect(output.failures.map(\.index) == [1])
        #expect(
            output.failures.first?.entry
                == EventBridge.PutEventsResultEntry(errorCode: "InternalFailure", errorMessage: "try again"))
        #expect(output.entries?[0].isFailure == false)
    }
}
