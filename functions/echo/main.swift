// echo: answers with the event it was given. The smallest complete function, and the one to
// copy: a handler type built once in the init phase, a log line, and the
// runtime doing the rest (decoding, errors, the Runtime API).

import LambdaEvents
import LambdaRuntime

struct Echo: LambdaHandler {
    func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        // DEBUG: shown with AWS_LAMBDA_LOG_LEVEL=DEBUG, free otherwise.
        context.logger.debug("echoing")
        return event
    }
}

await Lambda.run { _ in Echo() }
