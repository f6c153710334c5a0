// background: answers at once, then works on: what a LambdaWithBackgroundProcessingHandler
// does. Its event {"workMs": N} is how long the work after the answer takes; it logs
// "background done <request id>" when it ends, which must come before the next /next.

import LambdaEvents
import LambdaRuntime

struct Work: Decodable, Sendable {
    var workMs: Int
}

struct Answer: Encodable, Sendable {
    var accepted: Bool
    var requestID: String
}

struct AnswerThenWork: LambdaWithBackgroundProcessingHandler {
    func handle(_ event: Work, outputWriter: LambdaResponseWriter<Answer>, context: LambdaContext) async throws {
        context.logger.info("handling \(context.requestID)")
        try await outputWriter.write(Answer(accepted: true, requestID: context.requestID))
        try await Task.sleep(for: .milliseconds(event.workMs))
        context.logger.info("background done \(context.requestID)")
    }
}

await Lambda.run { _ in AnswerThenWork() }
