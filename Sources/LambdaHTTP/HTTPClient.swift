import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small blocking HTTP/1.1 client over libcurl.
///
/// Each call to ``execute(_:)`` blocks its thread until the exchange ends. Curl easy
/// handles are pooled and reused, so consecutive requests to one host share a kept-alive
/// connection: the Runtime API loop pays for its TCP handshake once per process.
/// Concurrent callers each get a handle of their own.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// The PEM bundle of trusted CAs; `nil` leaves curl at its compiled-in default.
        public var caBundlePath: String?
        /// Upper bound on establishing a connection, whatever the request's own timeout.
        public var connectTimeout: Duration
        /// Idle handles kept for reuse; more concurrent requests than this still work.
        public var maximumIdleHandles: Int
        /// Whether `http_proxy`, `https_proxy` and `no_proxy` apply, as curl reads them. The
        /// Runtime API is on the sandbox's loopback: a function whose environment names a proxy
        /// for its own calls must not send `/next` through it.
        public var usesProxyFromEnvironment: Bool

        public init(
            caBundlePath: String? = CABundle.locate(),
            connectTimeout: Duration = .seconds(10),
            maximumIdleHandles: Int = 8,
            usesProxyFromEnvironment: Bool = true
        ) {
            self.caBundlePath = caBundlePath
            self.connectTimeout = connectTimeout
            self.maximumIdleHandles = maximumIdleHandles
            self.usesProxyFromEnvironment = usesProxyFromEnvironment
        }
    }

    public let configuration: Configuration
    private let idle = Mutex<[CurlEasy]>([])

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Performs `request` and returns the response, whatever its status code. Only a
    /// failure to get a response at all is thrown.
    public func execute(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let easy = try checkOut(url: request.url)
        defer { checkIn(easy) }
        return try easy.perform(request)
    }

    /// Sends `request` with `body` as its body, chunk by chunk as the body is written, then the
    /// body's trailers; `request.body` is ignored. Blocks until the exchange ends: call it from a
    /// thread of its own while another writes the body.
    public func execute(_ request: HTTPRequest, streaming body: ChunkedBody) throws(HTTPClientError) -> HTTPResponse {
        // A handle of its own, never pooled: libcurl (7.88 at least) marks a handle's trailers
        // as sent for good (`state.trailers_state` stays TRAILERS_DONE through
        // curl_easy_reset), so a reused handle sends no trailers the second time (a streamed
        // error was lost) and frees the trailer buffer again on the third (heap corruption).
        // A fresh handle costs a loopback connect per streamed response.
        guard let easy = CurlEasy(configuration: configuration) else {
            throw .invalidRequest(url: request.url, reason: "curl_easy_init failed (out of memory?)")
        }
        defer { body.cancel() }
        return try easy.perform(request, streaming: body)
    }

    /// Performs a request without making an ``HTTPRequest`` or an ``HTTPResponse``: for callers
    /// that repeat the same few requests and read a few fields of each answer (the Runtime API
    /// client). `fields` gets each response field's name and value as the bytes received, valid
    /// only during the call; `method` must be upper-case.
    package func exchange(
        method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        timeout: Duration? = nil,
        fields: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void = { _, _ in }
    ) throws(HTTPClientError) -> (status: Int, body: [UInt8]) {
        let easy = try checkOut(url: url)
        defer { checkIn(easy) }
        return try easy.exchange(
            method: method, url: url, headers: headers, body: body, timeout: timeout, fields: fields)
    }

    private func checkOut(url: String) throws(HTTPClientError) -> CurlEasy {
        if let easy = idle.withLock({ $0.popLast() }) { return easy }
        guard let easy = CurlEasy(configuration: configuration) else {
            throw .invalidRequest(url: url, reason: "curl_easy_init failed (out of memory?)")
        }
        return easy
    }

    private func checkIn(_ easy: CurlEasy) {
        let limit = configuration.maximumIdleHandles
        idle.withLock { handles in
            if handles.count < limit { handles.append(easy) }
        }
    }
}

/// Where the trusted CA certificates are. Debian's libcurl looks only at its compiled-in
/// path, which does not exist on Amazon Linux, so HTTPS there fails unless told.
public enum CABundle {
    public static let wellKnownPaths = [
        "/etc/pki/tls/certs/ca-bundle.crt",  // Amazon Linux, RHEL, Fedora
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine
        "/etc/ssl/cert.pem",  // macOS, some BSDs
    ]

    /// `SSL_CERT_FILE` when it names a readable file, else the first well-known path that exists.
    public static func locate(environment: [String: String]? = nil) -> String? {
        let override = environment.map { $0["SSL_CERT_FILE"] } ?? getenv("SSL_CERT_FILE").map { String(cString: $0) }
        if let override, !override.isEmpty, access(override, R_OK) == 0 { return override }
        return wellKnownPaths.first { access($0, R_OK) == 0 }
    }
}

/// Owns one curl easy handle.
///
/// The options that are the same for every request (the client's configuration, the callbacks)
/// are set once, when the handle is made; each request sets only its own. `curl_easy_reset` per
/// request, as this did before, costs a free of every option and a dozen setopt calls again on
/// the Runtime API's every call (RuntimeBenchmark's profile, BENCHMARKS.md).
///
/// `@unchecked Sendable` because a handle may move between threads but must never be
/// used by two at once, and the pool in ``HTTPClient`` hands each one to a single caller
/// at a time; the compiler cannot see that ownership.
private final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Receives the response of the request in progress; emptied before each.
    private let collector = ResponseCollector()
    /// POSTFIELDS must never be NULL with a POST (curl would read the body from stdin).
    private static let emptyBody: StaticString = ""
    /// The header lines curl sent for the last few distinct sets of request headers, oldest
    /// first. A list costs a formatted line and two allocations per header; the Runtime API's
    /// calls alternate between two sets (`/next`'s none, a response's `Content-Type`), so keeping
    /// only the last list remade one on every call (four allocations a line, each way).
    /// Unchecked exclusivity, as the handle's other state: one caller at a time uses a handle.
    @exclusivity(unchecked) private var headerLists: [(source: HTTPHeaders, list: UnsafeMutablePointer<curl_slist>)] =
        []
    /// A chunked upload's list, never reused: it carries `Transfer-Encoding` for that request only.
    @exclusivity(unchecked) private var oneOffHeaderList: UnsafeMutablePointer<curl_slist>?
    /// Enough for the Runtime API's sets and an AWS client's, whose signed headers change on
    /// every request and so never hit.
    private static let keptHeaderLists = 4

    init?(configuration: HTTPClient.Configuration) {
        guard let handle = ccurl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer[0] = 0
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        // curl copies string options: the C strings need to live only through the call.
        if let ca = configuration.caBundlePath {
            ca.withCString { _ = ccurl_setopt_pointer(handle, CURLOPT_CAINFO, $0) }
        }
        if !configuration.usesProxyFromEnvironment {
            // "No proxy for any host": curl then reads none of the proxy variables. An empty
            // CURLOPT_PROXY did that too, but cost a copy of it and two getenv calls on every
            // request, for the Runtime API's every call.
            ccurl_setopt_pointer(handle, CURLOPT_NOPROXY, "*")
        }
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)

        let collectorPointer = Unmanaged.passUnretained(collector).toOpaque()
        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let data, length > 0 {
                data.withMemoryRebound(to: UInt8.self, capacity: length) {
                    collector.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
            }
            return length
        }
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, collectorPointer)
        ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let data, length > 0 {
                data.withMemoryRebound(to: UInt8.self, capacity: length) {
                    collector.headerLine(UnsafeBufferPointer(start: $0, count: length))
                }
            }
            return length
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, collectorPointer)
    }

    deinit {
        curl_easy_cleanup(handle)
        for kept in headerLists { curl_slist_free_all(kept.list) }
        curl_slist_free_all(oneOffHeaderList)
        errorBuffer.deallocate()
    }

    func perform(_ request: HTTPRequest, streaming: ChunkedBody? = nil) throws(HTTPClientError) -> HTTPResponse {
        begin(url: request.url, timeout: request.timeout, headers: request.headers, chunked: streaming != nil)
        // Methods come upper-case almost always; uppercased() allocated for every request.
        let method =
            request.method.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
            ? request.method.uppercased() : request.method
        let code: CURLcode
        if let streaming {
            // Chunked upload: curl asks the body for bytes as it can send them, then for trailers.
            ccurl_setopt_long(handle, CURLOPT_POST, 1)
            let bodyPointer = Unmanaged.passUnretained(streaming).toOpaque()
            ccurl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
                let body = Unmanaged<ChunkedBody>.fromOpaque(userdata!).takeUnretainedValue()
                return body.read(into: UnsafeMutableRawPointer(buffer!), capacity: size * count)
            }
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, bodyPointer)
            ccurl_setopt_trailer_callback(handle) { list, userdata in
                let body = Unmanaged<ChunkedBody>.fromOpaque(userdata!).takeUnretainedValue()
                for (name, value) in body.trailers {
                    list!.pointee = curl_slist_append(list!.pointee, "\(name): \(value)")
                }
                return Int32(CURL_TRAILERFUNC_OK)
            }
            ccurl_setopt_pointer(handle, CURLOPT_TRAILERDATA, bodyPointer)
            if method != "POST" {
                method.withCString { _ = ccurl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }
            }
            code = curl_easy_perform(handle)
        } else {
            code = send(method: method, body: request.body)
        }
        guard code == CURLE_OK else { throw error(for: code, url: request.url, timeout: request.timeout) }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let (headers, body) = collector.handOver()
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// ``HTTPClient/exchange(method:url:headers:body:timeout:fields:)`` on this handle: the response's
    /// fields are read where the collector keeps them, and nothing is made of them.
    func exchange(
        method: String, url: String, headers: HTTPHeaders, body: [UInt8], timeout: Duration?,
        fields: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void
    ) throws(HTTPClientError) -> (status: Int, body: [UInt8]) {
        begin(url: url, timeout: timeout, headers: headers, chunked: false)
        let code = send(method: method, body: body)
        guard code == CURLE_OK else { throw error(for: code, url: url, timeout: timeout) }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        collector.forEachField(fields)
        return (status, collector.takeBody())
    }

    /// What every request sets: its URL, timeout and header lines, and GET until told otherwise
    /// (a custom method or HEAD's NOBODY from an earlier request would otherwise stay).
    private func begin(url: String, timeout: Duration?, headers: HTTPHeaders, chunked: Bool) {
        errorBuffer[0] = 0
        collector.begin()
        url.withCString { _ = ccurl_setopt_pointer(handle, CURLOPT_URL, $0) }
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout?.milliseconds ?? 0)
        ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        ccurl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil)
        setHeaders(headers, chunked: chunked)
    }

    /// Sends a request whose whole body is at hand; `method` upper-case.
    private func send(method: String, body: [UInt8]) -> CURLcode {
        body.withUnsafeBytes { body in
            switch method {
            case "GET" where body.isEmpty:
                break  // HTTPGET is set for every request, in begin
            case "HEAD":
                ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
            default:
                ccurl_setopt_long(handle, CURLOPT_POST, 1)
                ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                ccurl_setopt_pointer(
                    handle, CURLOPT_POSTFIELDS, body.baseAddress ?? UnsafeRawPointer(Self.emptyBody.utf8Start))
                if method != "POST" {
                    method.withCString { _ = ccurl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }
                }
            }
            return curl_easy_perform(handle)
        }
    }

    /// Points curl at the header lines for `headers`, made again only when none of the last few
    /// requests had the same.
    private func setHeaders(_ headers: HTTPHeaders, chunked: Bool) {
        if !chunked, let kept = headerLists.first(where: { $0.source == headers }) {
            ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, kept.list)
            releaseOneOffHeaderList()
            return
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers {
            // curl's syntax for sending a header with an empty value is "Name;".
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
            list = curl_slist_append(list, line)
        }
        // Never wait for "100 Continue", and never invent a form content type.
        list = curl_slist_append(list, "Expect:")
        if !headers.contains("Content-Type") {
            list = curl_slist_append(list, "Content-Type:")
        }
        if chunked {
            list = curl_slist_append(list, "Transfer-Encoding: chunked")
        }
        // The handle lets go of a list before the list is freed.
        ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, list)
        releaseOneOffHeaderList()
        // No list only when curl is out of memory: the request then goes without headers, and
        // nothing is kept.
        guard let list else { return }
        if chunked {
            oneOffHeaderList = list
            return
        }
        headerLists.append((source: headers, list: list))
        if headerLists.count > Self.keptHeaderLists {
            curl_slist_free_all(headerLists.removeFirst().list)
        }
    }

    private func releaseOneOffHeaderList() {
        curl_slist_free_all(oneOffHeaderList)
        oneOffHeaderList = nil
    }

    private func error(for code: CURLcode, url: String, timeout: Duration?) -> HTTPClientError {
        let detail = String(cString: errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url, after: timeout ?? .zero)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed(url: url, reason: reason)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tlsFailed(url: url, reason: "\(reason) (CA bundle: \(CABundle.locate() ?? "none found"))")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(url: url, reason: reason)
        default:
            return .transferFailed(url: url, reason: reason)
        }
    }
}

/// Receives what curl's callbacks deliver during one `curl_easy_perform`.
private final class ResponseCollector {
    /// The header lines as received, parsed into fields only when read: a callback per line
    /// that only appends costs less than one that parses. The buffer is kept from response to
    /// response; a response handed over as an ``HTTPResponse`` takes a copy at its size.
    ///
    /// Unchecked exclusivity: one transfer at a time uses a collector (its handle's), and the
    /// dynamic checks on every callback's access were a tenth of the client's own samples.
    @exclusivity(unchecked) private var headerLines: [UInt8] = []
    @exclusivity(unchecked) var body: [UInt8] = []

    init() { headerLines.reserveCapacity(1024) }

    func begin() {
        headerLines.removeAll(keepingCapacity: true)
        body = []
    }

    func handOver() -> (HTTPHeaders, [UInt8]) {
        let lines = headerLines.withUnsafeBufferPointer { Array($0) }
        return (HTTPHeaders(received: ReceivedFields(lines: lines)), takeBody())
    }

    func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    /// Each field's name and value, as bytes valid only during the call.
    func forEachField(_ field: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        headerLines.withUnsafeBufferPointer { lines in
            ReceivedFields.forEachField(in: lines) { name, value in
                field(UnsafeBufferPointer(rebasing: lines[name]), UnsafeBufferPointer(rebasing: lines[value]))
            }
        }
    }

    func headerLine(_ line: UnsafeBufferPointer<UInt8>) {
        // Compared byte by byte: starts(with:) over a String's UTF8View is generic and slow.
        if line.count >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            // A new status line (after a 100 Continue or a redirect): forget earlier headers.
            headerLines.removeAll(keepingCapacity: true)
            return
        }
        headerLines.append(contentsOf: line)
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive timeout never becomes 0 (= none)
    /// and a deadline never comes before its timeout has passed.
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 > 0 ? Int(ms) + 1 : Int(ms)
    }
}
