// Substring search and replacement over UTF-8 bytes, standard library only.
//
// `StringProtocol.contains(_: some StringProtocol)` and `replacing(_:with:)` live in
// _StringProcessing, the regex module: one call links its ~1 MB and the Unicode name tables it
// reaches into every bootstrap. The kit's searches are for ASCII needles in headers, media
// types and paths, where byte and Character comparison agree.

extension StringProtocol {
    /// Whether `needle` occurs in the text, comparing UTF-8 bytes.
    public func containsText(_ needle: some StringProtocol) -> Bool {
        firstByteOffset(of: needle) != nil
    }

    /// The text with every occurrence of `target` (compared as UTF-8 bytes, left to right,
    /// not overlapping) replaced by `replacement`.
    public func replacingText(_ target: some StringProtocol, with replacement: some StringProtocol) -> String {
        let haystack = Array(utf8)
        let needle = Array(target.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return String(self) }
        var result: [UInt8] = []
        result.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, haystack[index] == needle[0],
                haystack[index..<index + needle.count].elementsEqual(needle)
            {
                result.append(contentsOf: replacement.utf8)
                index += needle.count
            } else {
                result.append(haystack[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private func firstByteOffset(of needle: some StringProtocol) -> Int? {
        let haystack = Array(utf8)
        let needle = Array(needle.utf8)
        guard !needle.isEmpty else { return 0 }
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
