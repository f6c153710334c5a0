import ArgumentParser

struct LambdaLocal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-local",
        abstract: "Run Lambda functions on this machine, through a real Runtime API emulator.",
        subcommands: [
            InvokeCommand.self, EventsCommand.self, PackageCommand.self,
            StartAPICommand.self, StartLambdaCommand.self, PipelineCommand.self, DLQCommand.self,
        ])
}

LambdaLocal.main()
