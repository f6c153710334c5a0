import AWSCore
import ArgumentParser
import Foundation
import LocalPipeline

struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Show what is in a dead-letter queue, and move it back to its source queue.",
        discussion: "Uses AWS_ENDPOINT_URL, AWS_REGION and the AWS credentials of the environment.",
        subcommands: [DLQListCommand.self, DLQReplayCommand.self])
}

struct DLQListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the messages of a dead-letter queue (each is received once to be seen, then released at once).")

    @Argument(help: "The queue: a name or a URL.")
    var queue: String

    @Flag(help: "Print whole bodies instead of their first 200 characters.")
    var full = false

    func run() throws {
        let configuration = try AWSConfiguration(environment: ProcessInfo.processInfo.environment)
        let queue = self.queue
        let full = self.full
        try runAsync {
            let letters = try await DeadLetterQueues(admin: AWSAdmin(configuration: configuration)).list(queue)
            for letter in letters {
                let body = full || letter.body.count <= 200 ? letter.body : String(letter.body.prefix(200)) + "..."
                var line = "\(letter.messageID)\treceives=\(letter.receiveCount.map(String.init) ?? "?")"
                if let sent = letter.sentTimestamp { line += "\tsent=\(sent)" }
                if let source = letter.sourceARN { line += "\tfrom=\(source)" }
                if !letter.attributes.isEmpty {
                    line += "\tattributes=\(letter.attributes.keys.sorted().joined(separator: ","))"
                }
                print(line + "\t" + body)
            }
            printError("\(letters.count) message\(letters.count == 1 ? "" : "s") in \(queue)")
        }
    }
}

struct DLQReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Move every message of a dead-letter queue back to its source queue.",
        discussion: """
            The source is the queue whose RedrivePolicy names this DLQ, or --to. Each message is \
            sent with its body and message attributes, and deleted from the DLQ only once the \
            source queue took it. Exits 1 if any message could not be moved.
            """)

    @Argument(help: "The dead-letter queue: a name or a URL.")
    var queue: String

    @Option(help: "The queue to move the messages to (default: the one whose redrive policy names this DLQ).")
    var to: String?

    func run() throws {
        let configuration = try AWSConfiguration(environment: ProcessInfo.processInfo.environment)
        let queue = self.queue
        let target = self.to
        try runAsync {
            let result = try await DeadLetterQueues(admin: AWSAdmin(configuration: configuration)).replay(
                queue, to: target)
            print(
                "moved \(result.moved) message\(result.moved == 1 ? "" : "s") from \(queue) to \(result.sourceQueueURL)"
            )
            for failure in result.sendFailures { printError("not moved (still in the DLQ): \(failure)") }
            for failure in result.deleteFailures {
                printError("sent but not deleted from the DLQ (now in both): \(failure)")
            }
            if !result.sendFailures.isEmpty || !result.deleteFailures.isEmpty { throw ExitCode(1) }
        }
    }
}
