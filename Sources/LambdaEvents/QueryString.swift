import TextEncodings

/// A URL query string as API Gateway reads it into `queryStringParameters`.
///
/// One parser for every place that turns a real request into an event (the local API, the
/// testing kit's builders), so they cannot disagree, and none of them trusts the input: any
/// bytes a client sends must give pairs, never a crash.
public enum QueryString {
    /// The `name=value` pairs of `raw` (without the `?`), in order, percent-decoded.
    ///
    /// A pair without `=` has the empty value (`?flag` is `flag=""`). A pair whose name is empty
    /// (`?=x`, `?&`) names no parameter and is skipped, as API Gateway does. A `%` not followed
    /// by two hex digits is kept literally, and a decoded byte sequence that is not UTF-8 is
    /// repaired with U+FFFD rather than refused.
    public static func pairs(_ raw: some StringProtocol) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for pair in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = PercentEncoding.decode(pair[..<(equals ?? pair.endIndex)])
            guard !name.isEmpty else { continue }
            let value = equals.map { PercentEncoding.decode(pair[pair.index(after: $0)...]) } ?? ""
            result.append((name, value))
        }
        return result
    }

    /// HTTP API (payload 2.0): repeated parameters joined with commas.
    public static func joined(_ raw: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in pairs(raw) {
            result[name] = result[name].map { $0 + "," + value } ?? value
        }
        return result
    }

    /// REST API (payload 1.0): every value of each parameter, in order.
    public static func multiValue(_ raw: some StringProtocol) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (name, value) in pairs(raw) {
            result[name, default: []].append(value)
        }
        return result
    }
}
