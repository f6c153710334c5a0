// echo: answers with the event it was given. The smallest complete function, and the one to
// copy: a handler type built once in the init phase, a log line, a hook for when Lambda stops
// the environment, and the runtime doing the rest (decoding, errors, the Runtime API).

import JSONCoding
import LambdaRuntime

struct Echo: LambdaHandler {
    func handle(_ event: JSONValue, context: LambdaContext) async throws -> JSONValue {
        // DEBUG: shown with AWS_LAMBDA_LOG_LEVEL=DEBUG, free otherwise.
        context.logger.debug("echoing")
        return event
    }
}

await Lambda.run { initialization in
    // Runs on SIGTERM, before the environment goes: flush what must not be lost.
    initialization.onShutdown { [logger = initialization.logger] in
        logger.info("shutdown: the environment is stopping")
    }
    return Echo()
}
