import Hashing
import Testing

@testable import LocalPipeline

@Suite struct EventStreamMessageTests {
    /// The same message framed by Python (struct + zlib.crc32) and read back by botocore's
    /// EventStreamBuffer: prelude, prelude CRC, string headers, payload, message CRC.
    @Test func framesAsBotocoreReadsIt() {
        let message = EventStreamMessage.event(
            "PayloadChunk", contentType: "application/octet-stream", payload: Array("hi\n".utf8))
        let expected =
            "0000006d0000005a8f3ed47f0b3a6576656e742d7479706507000c5061796c6f61644368756e6b0d3a636f6e74656e742d74797065"
            + "0700186170706c69636174696f6e2f6f637465742d73747265616d0d3a6d6573736167652d747970650700056576656e7468690a"
            + "e883c1dd"
        #expect(message.encoded.hexEncoded == expected)
    }

    @Test func anEmptyPayloadStillHasItsChecksums() {
        let encoded = EventStreamMessage(headers: [], payload: []).encoded
        #expect(encoded.count == 16)
        #expect(Array(encoded[0..<8]) == [0, 0, 0, 16, 0, 0, 0, 0])
    }
}
