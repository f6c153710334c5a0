/// Why a function's configuration is unusable. Thrown in the init phase, so Lambda reports
/// an init error naming the variable instead of failing every invocation.
public struct ConfigurationError: LambdaReportableError, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    /// A problem that needs no variable's name spelled out twice:
    /// `ConfigurationError("PRICES_TABLE is not set")`.
    public init(_ message: String) {
        let name = message.prefix { $0 != " " }
        self.init(variable: String(name), problem: String(message.dropFirst(name.count).drop { $0 == " " }))
    }

    public var description: String { "\(variable) \(problem)" }

    /// What Lambda's init error says, so a deploy that forgot a variable is recognisable at a glance.
    public var errorType: String { "Runtime.ConfigurationError" }
}

/// Reads a function's configuration from environment variables, with errors that name them.
/// `LambdaInitContext.configuration` gives one over the environment Lambda set.
public struct EnvironmentReader: Sendable {
    public var environment: [String: String]

    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// The value, or nil when unset or blank.
    public func optional(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return value
    }

    public func required(_ name: String, _ meaning: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else {
            throw ConfigurationError(variable: name, problem: "is not set: it names \(meaning)")
        }
        return value
    }

    /// A DynamoDB table name: 3 to 255 of `a-z A-Z 0-9 _ - .`.
    public func tableName(_ name: String, _ meaning: String) throws(ConfigurationError) -> String {
        let value = try required(name, meaning)
        let allowed = value.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
                || $0 == 0x2D || $0 == 0x2E
        }
        guard allowed, (3...255).contains(value.utf8.count) else {
            throw ConfigurationError(
                variable: name, problem: "is \"\(value)\", not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ - .)")
        }
        return value
    }

    /// An SNS topic ARN: `arn:<partition>:sns:<region>:<account>:<name>`.
    public func topicARN(_ name: String, _ meaning: String, required isRequired: Bool = true) throws(ConfigurationError)
        -> String?
    {
        guard let value = isRequired ? try required(name, meaning) : optional(name) else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sns", !parts[5].isEmpty else {
            throw ConfigurationError(
                variable: name, problem: "is \"\(value)\", not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
        }
        return value
    }

    /// A comma-separated list, items trimmed, empty items dropped.
    public func list(_ name: String, default defaultValue: String) -> [String] {
        (optional(name) ?? defaultValue).split(separator: ",").map { String($0).trimmingWhitespace }.filter {
            !$0.isEmpty
        }
    }

    public func positiveInteger(_ name: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let value = optional(name) else { return defaultValue }
        guard let number = Int(value), number > 0 else {
            throw ConfigurationError(variable: name, problem: "is \"\(value)\", not a positive whole number")
        }
        return number
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
