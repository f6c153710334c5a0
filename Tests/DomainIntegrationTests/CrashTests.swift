import AWSDynamoDB
import CloudEvents
import Foundation
import LambdaEmulator
import LambdaEvents
import LoopbackHTTP
import Synchronization
import TestSupport
import Testing

/// notify killed between the two phases of its idempotency record, without any test hook in
/// the function: its SNS endpoint is a server that never answers, so the process is stuck in
/// the publish, with its INPROGRESS record written, when it is killed.
@Suite struct CrashTests {
    @Test func afterTheInProgressExpiryTheRetryNotifiesExactlyOnce() async throws {
        let aws = try AWS()
        let table = try await aws.createTable("idempotency", sortKey: false)
        let topic = try await aws.createTopicWithQueue("notifications")
        let batch = try sampleEvent("sqs-eventbridge.json")  // one payment.failed event
        let message = try JSONDecoder().decode(SQSEvent.self, from: Data(batch)).records[0]
        let eventID = try message.receivedCloudEvent().event.id
        let environment = ["NOTIFICATIONS_TOPIC_ARN": topic.topicARN, "IDEMPOTENCY_TABLE": table]

        let release = DispatchSemaphore(value: 0)
        let blackHole = try LoopbackHTTPServer { _ in
            _ = release.wait(timeout: .now() + 60)
            return .dropConnection
        }
        defer {
            for _ in 0..<4 { release.signal() }
            blackHole.stop()
        }
        var stuckEnvironment = environment
        stuckEnvironment["AWS_ENDPOINT_URL_SNS"] = "http://\(blackHole.authority)"
        let stuckOutput = OutputCapture()
        let stuck = try localLambda("notify", environment: stuckEnvironment, timeout: .seconds(6), output: stuckOutput)
        let healthy = try localLambda("notify", environment: environment)
        defer {
            stuck.shutdown()
            healthy.shutdown()
        }

        let firstDone = DispatchSemaphore(value: 0)
        let firstReport = Mutex<InvocationReport?>(nil)
        Thread {
            let report = stuck.invoke(batch)
            firstReport.withLock { $0 = report }
            firstDone.signal()
        }.start()

        // Phase one happened: the record is INPROGRESS, and the publish hangs.
        var record: DynamoDBItem?
        for _ in 0..<100 {
            record = try await aws.item(table, ["id": .s("notify#\(eventID)")])
            if record != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(record?["status"] == .s("INPROGRESS"), "\(stuckOutput.text)")
        #expect(record?["inProgressExpiry"] != nil)

        // A redelivery while it is in progress is a retryable failure, and sends nothing.
        let during = healthy.invoke(batch)
        #expect(batchFailures(during.payload) == [message.messageID], "\(during.result)")

        // The crash: the process dies mid-effect; its record stays behind.
        stuck.shutdown()
        firstDone.wait()
        #expect(firstReport.withLock { $0?.isSuccess } == false)
        #expect(try await aws.item(table, ["id": .s("notify#\(eventID)")])?["status"] == .s("INPROGRESS"))
        #expect(try await aws.drain(topic.queueURL).isEmpty)

        // SQS redelivers until the record's in-progress expiry (the dead invocation's deadline)
        // has passed; then the retry publishes, once.
        var retried = false
        for _ in 0..<40 {
            let report = healthy.invoke(batch)
            if batchFailures(report.payload) == [] {
                retried = true
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(retried)
        #expect(healthy.invoke(batch).isSuccess)
        let delivered = try await aws.drain(topic.queueURL)
        #expect(delivered.count == 1)
        #expect(try await aws.item(table, ["id": .s("notify#\(eventID)")])?["status"] == .s("COMPLETED"))
    }
}
