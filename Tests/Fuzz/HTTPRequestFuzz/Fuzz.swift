// libFuzzer target: the loopback server's request parser (Runtime API, start-api,
// start-lambda), fed over a real TCP connection as a client would: each input is sent, the
// client's side shut, and the server must answer and close, or close, within its limits; it
// must never crash, and must go on accepting. See Tests/Fuzz/README.md.
import Foundation
import FuzzSupport
import LambdaHTTP
import LoopbackHTTP

/// Shared by every input: starting a server per input would measure thread start-up.
/// Tight limits, so the fuzzer reaches each of them with small inputs.
let server: LoopbackHTTPServer = {
    var limits = HTTPServerLimits()
    limits.maximumRequestLineSize = 256
    limits.maximumHeaderCount = 8
    limits.maximumHeadSize = 1024
    limits.headTimeout = .milliseconds(200)
    limits.bodyStallTimeout = .milliseconds(200)
    limits.idleTimeout = .milliseconds(200)
    return try! LoopbackHTTPServer(
        maximumBodySize: 4096, limits: limits, streamsRequestBody: { $0.target == "/stream" }
    ) {
        request in
        if let stream = request.bodyStream {
            while (try? stream.next()) ?? nil != nil {}
        }
        return .status(200, "\(request.method) \(request.target) \(request.body.count)")
    }
}()

func fuzzOne(_ bytes: [UInt8]) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(server.port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    // libFuzzer's -timeout ticks with SIGALRM: an interrupted connect goes on in the kernel,
    // so wait for it rather than call the server stopped.
    if connected != 0, errno == EINTR {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&descriptor, 1, 5_000) < 0, errno == EINTR {}
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
        connected = failure
    }
    precondition(connected == 0, "the server stopped accepting: errno \(errno)")
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var offset = 0
    while offset < bytes.count {
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        if sent < 0, errno == EINTR { continue }
        // The server may close early (a limit it enforces): the rest is not its to read.
        guard sent > 0 else { break }
        offset += sent
    }
    shutdown(fd, Int32(SHUT_WR))
    var buffer = [UInt8](repeating: 0, count: 16 << 10)
    while true {
        let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received < 0, errno == EINTR { continue }
        // A timeout here is a hang: the server neither answered nor closed within 5 s.
        precondition(received >= 0 || errno == ECONNRESET, "the server hung on this input (errno \(errno))")
        if received <= 0 { return }
    }
}

/// One input, by the name libFuzzer's own objects look for.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(fuzzInputBytes(data, size))
    return 0
}

/// The program's entry point (SwiftPM names it after the target): libFuzzer, or a replay.
@_cdecl("HTTPRequestFuzz_main")
func fuzzTargetMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzTarget(argc, argv, testOneInput)
}
