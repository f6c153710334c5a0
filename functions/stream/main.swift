// stream: writes its response in pieces (response streaming). The event says how:
//
//   {"chunks": N, "chunkBytes": B, "intervalMs": I, "failAfter": K, "http": true}
//
// N chunks of B bytes, I ms apart; with failAfter, it throws after K chunks, and the caller gets
// the error in the stream's trailers; with http, the response is a Function URL's (status,
// headers and cookies first). Each chunk is its index in decimal, repeated, ending in "\n".

import JSONCoding
import LambdaRuntime

struct StreamRequest {
    var chunks: Int
    var chunkBytes: Int
    var intervalMs: Int
    var failAfter: Int?
    var http: Bool

    init(_ event: [UInt8]) throws {
        let json = try JSONValue(parsing: event)
        chunks = Int(json["chunks"]?.integerValue ?? 3)
        chunkBytes = Int(json["chunkBytes"]?.integerValue ?? 16)
        intervalMs = Int(json["intervalMs"]?.integerValue ?? 0)
        failAfter = json["failAfter"]?.integerValue.map { Int($0) }
        http = json["http"]?.boolValue ?? false
        guard chunks >= 0, chunkBytes > 0, intervalMs >= 0 else {
            throw InvocationError(
                type: "Stream.InvalidRequest", message: "chunks, chunkBytes and intervalMs must be positive")
        }
    }
}

struct StreamFailure: LambdaReportableError, CustomStringConvertible {
    var written: Int
    var errorType: String { "Stream.Failed" }
    var description: String { "failed on purpose after \(written) chunks" }
}

struct Streamer: StreamingLambdaHandler {
    func handle(_ event: [UInt8], responseWriter: LambdaResponseStreamWriter, context: LambdaContext) async throws {
        let request = try StreamRequest(event)
        if request.http {
            try await responseWriter.writeStatusAndHeaders(statusCode: 200, headers: ["content-type": "text/plain"])
        }
        for index in 0..<request.chunks {
            if let failAfter = request.failAfter, index == failAfter { throw StreamFailure(written: index) }
            if index > 0, request.intervalMs > 0 { try await Task.sleep(for: .milliseconds(request.intervalMs)) }
            let digits = Array(String(index).utf8)
            var chunk = (0..<(request.chunkBytes - 1)).map { digits[$0 % digits.count] }
            chunk.append(UInt8(ascii: "\n"))
            try await responseWriter.write(chunk)
        }
        if let failAfter = request.failAfter, failAfter >= request.chunks {
            throw StreamFailure(written: request.chunks)
        }
    }
}

await Lambda.run { _ in Streamer() }
