// Substring search and replacement over UTF-8 bytes, standard library only.
//
// `StringProtocol.contains(_: some StringProtocol)` and `replacing(_:with:)` live in
// _StringProcessing, the regex module: one call links its ~1 MB and the Unicode name tables it
// reaches into every bootstrap. The kit's searches are for ASCII needles in headers, media
// types and paths, where byte and Character comparison agree.

extension Array where Element == UInt8 {
    /// The offset of the first occurrence of `pattern` at or after `start`; an empty pattern
    /// occurs at `start` itself.
    public func firstOffset(of pattern: [UInt8], from start: Int = 0) -> Int? {
        guard !pattern.isEmpty else { return start <= count ? start : nil }
        guard count >= pattern.count else { return nil }
        var index = start
        let last = count - pattern.count
        while index <= last {
            if self[index] == pattern[0], self[index..<(index + pattern.count)].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Whether `needle` occurs in the text, comparing UTF-8 bytes.
    public func containsText(_ needle: some StringProtocol) -> Bool {
        Array(utf8).firstOffset(of: Array(needle.utf8)) != nil
    }

    /// The text with every occurrence of `target` (compared as UTF-8 bytes, left to right,
    /// not overlapping) replaced by `replacement`.
    public func replacingText(_ target: some StringProtocol, with replacement: some StringProtocol) -> String {
        let haystack = Array(utf8)
        let needle = Array(target.utf8)
        guard !needle.isEmpty else { return String(self) }
        var result: [UInt8] = []
        result.reserveCapacity(haystack.count)
        var copied = 0
        while let found = haystack.firstOffset(of: needle, from: copied) {
            result.append(contentsOf: haystack[copied..<found])
            result.append(contentsOf: replacement.utf8)
            copied = found + needle.count
        }
        result.append(contentsOf: haystack[copied...])
        return String(decoding: result, as: UTF8.self)
    }
}
