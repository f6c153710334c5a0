// FoundationEssentials has all this needs, without the ICU data full Foundation loads:
// a bootstrap's cold start and memory are what a Lambda user pays for.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An error that chooses the `errorType` Lambda reports for it (what a caller, the
/// `X-Amz-Function-Error` document and a metric filter see), instead of its Swift type name.
/// The message is the error's description.
public protocol LambdaReportableError: Error {
    var errorType: String { get }
}

/// The body Lambda expects on `/invocation/{id}/error` and `/init/error`.
///
/// Throw one from a handler to choose the `errorType` a caller sees; any other error is
/// reported with its Swift type name as `errorType` and its description as `errorMessage`.
public struct InvocationError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: [String]

    public init(type: String, message: String, stackTrace: [String] = []) {
        self.errorType = type
        self.errorMessage = message
        self.stackTrace = stackTrace
    }

    /// How the runtime reports an arbitrary thrown error: an ``InvocationError`` as it is, a
    /// ``LambdaReportableError`` with the type it names, anything else with its Swift type name.
    public init(_ error: any Error) {
        if let error = error as? InvocationError {
            self = error
        } else if let error = error as? any LambdaReportableError {
            self.init(type: error.errorType, message: String(describing: error))
        } else {
            self.init(type: String(describing: type(of: error)), message: String(describing: error))
        }
    }

    public var description: String { "\(errorType): \(errorMessage)" }

    /// Decodes leniently: runtimes in other languages omit fields or send plain text.
    public init(reported body: [UInt8], typeHeader: String?) {
        if let decoded = try? JSONDecoder().decode(Lenient.self, from: Data(body)) {
            self.init(
                type: decoded.errorType ?? typeHeader ?? "Unhandled",
                message: decoded.errorMessage ?? "",
                stackTrace: decoded.stackTrace ?? [])
        } else {
            self.init(type: typeHeader ?? "Unhandled", message: String(decoding: body, as: UTF8.self))
        }
    }

    private struct Lenient: Decodable {
        var errorType: String?
        var errorMessage: String?
        var stackTrace: [String]?
    }
}

/// What one invocation produced: the response payload or the error to report.
public enum InvocationOutcome: Sendable, Equatable {
    case response([UInt8])
    case error(InvocationError)
}

/// Limits Lambda enforces, which the runtime checks before Lambda does so that the
/// caller gets a precise error instead of a truncated response.
public enum LambdaLimits {
    /// The synchronous invocation response limit ("6 MB"), in bytes, as Lambda counts it.
    public static let maximumResponseSize = 6_291_556
}

/// Runs one invocation through a handler: the single path shared by the runtime loop
/// and the testing kit, so that what a unit test sees is what Lambda would get.
public enum InvocationPipeline {
    public static func invoke(
        _ handler: some RawLambdaHandler,
        event: [UInt8],
        context: LambdaContext
    ) async -> InvocationOutcome {
        let response: [UInt8]
        do {
            response = try await handler.handle(event, context: context)
        } catch {
            let reported = InvocationError(error)
            context.logger.error(
                "invocation failed",
                metadata: ["errorType": "\(reported.errorType)", "errorMessage": "\(reported.errorMessage)"])
            return .error(reported)
        }
        guard response.count <= LambdaLimits.maximumResponseSize else {
            let reported = InvocationError(
                type: "Function.ResponseSizeTooLarge",
                message:
                    "Response payload size (\(response.count) bytes) exceeded maximum allowed payload size (\(LambdaLimits.maximumResponseSize) bytes)."
            )
            context.logger.error("\(reported.errorMessage)")
            return .error(reported)
        }
        return .response(response)
    }
}
