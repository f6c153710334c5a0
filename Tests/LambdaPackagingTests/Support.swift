import Foundation
import LambdaPackaging

#if canImport(Glibc)
    import Glibc
#endif

/// chroot, mknod and mount need root; without it these tests are skipped, and say so.
let runningAsRoot = getuid() == 0

/// A fresh directory that the test deletes when done.
func temporaryDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The ELF program interpreter (PT_INTERP) of a 64-bit little-endian binary: what the
/// kernel starts it with.
func programInterpreter(_ path: String) throws -> String? {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    func integer(_ offset: Int, _ size: Int) -> Int {
        (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }
    guard bytes.count > 64, bytes[0..<4] == [0x7f, 0x45, 0x4c, 0x46], bytes[4] == 2 else { return nil }
    let programHeaders = integer(0x20, 8)
    let entrySize = integer(0x36, 2)
    let count = integer(0x38, 2)
    for index in 0..<count {
        let header = programHeaders + index * entrySize
        guard integer(header, 4) == 3 else { continue }  // PT_INTERP
        let offset = integer(header + 8, 8)
        let size = integer(header + 32, 8)
        return String(decoding: bytes[offset..<(offset + size)].prefix { $0 != 0 }, as: UTF8.self)
    }
    return nil
}
