import Foundation

#if FUZZING
    import CLibFuzzer
#endif

/// One input's checks: crash (a failed precondition) on what must not happen.
public typealias FuzzInputTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// The entry point every fuzz target shares. Built for fuzzing (`make fuzz` defines FUZZING),
/// it hands the arguments to libFuzzer's driver; a plain build replays the files named on the
/// command line (or in the directories named) through the same checks, which is how a crash is reproduced in a debugger.
public func runFuzzTarget(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ test: FuzzInputTest
) -> Int32 {
    #if FUZZING
        var argc = argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&argc, &argv, test)
    #else
        // Files as named; a directory (a corpus) file by file, as libFuzzer reads one.
        var paths: [String] = []
        for index in 1..<Int(argc) {
            guard let path = argv[index].map({ String(cString: $0) }) else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                paths += names.sorted().map { path + "/" + $0 }
            } else {
                paths.append(path)
            }
        }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("cannot read \(path)")
                return 1
            }
            _ = data.withUnsafeBytes { test($0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count) }
            print("ok \(path)")
        }
        return 0
    #endif
}

/// The input as an array, for checks that want one.
public func fuzzInputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
}
