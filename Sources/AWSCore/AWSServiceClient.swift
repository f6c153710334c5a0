import LambdaHTTP
import Logging

/// A client of one AWS service: a transport bound to that service, plus its operations.
///
/// The initialisers every client offers live here once, so a new service client only
/// names its service.
public protocol AWSServiceClient: Sendable {
    static var service: AWSService { get }
    var transport: AWSTransport { get }
    /// Wraps a transport already bound to `Self.service`; prefer `init(transport:)`, which checks.
    init(boundTransport transport: AWSTransport)
}

extension AWSServiceClient {
    public init(transport: AWSTransport) {
        precondition(
            transport.service == Self.service,
            "\(Self.self) needs a transport for \(Self.service.name), not \(transport.service.name)")
        self.init(boundTransport: transport)
    }

    public init(
        configuration: AWSConfiguration, options: AWSTransport.Options = .init(), httpClient: HTTPClient = HTTPClient(),
        circuitBreakers: CircuitBreakerRegistry = CircuitBreakerRegistry(),
        logger: Logger = Logger(label: "aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.init(
            boundTransport: AWSTransport(
                service: Self.service, configuration: configuration, options: options, httpClient: httpClient,
                circuitBreakers: circuitBreakers, logger: logger))
    }
}
