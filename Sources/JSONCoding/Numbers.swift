#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numbers from the text the parser validated (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
/// without going through `String`.
enum NumberParsing {
    /// The integer a number without fraction or exponent spells, or nil if it does not fit.
    @inline(__always) static func int64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        let digits = text.count - index
        if digits <= 18 {
            var value: Int64 = 0
            while index < text.count {
                value = value &* 10 &+ Int64(text[index] &- UInt8(ascii: "0"))
                index += 1
            }
            return negative ? -value : value
        }
        guard let magnitude = magnitude(text, from: index) else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// The unsigned integer a number without fraction or exponent spells, or nil.
    static func uint64(_ text: UnsafeBufferPointer<UInt8>) -> UInt64? {
        if text[0] == UInt8(ascii: "-") {
            return text.count == 2 && text[1] == UInt8(ascii: "0") ? 0 : nil
        }
        return magnitude(text, from: 0)
    }

    private static func magnitude(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<text.count {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(text[index] &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// Exact powers of ten: every one up to 10^22 is a double.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The double nearest to the number (correctly rounded), which is infinite when the
    /// number's magnitude is too large for a double.
    ///
    /// Clinger's fast path when the significand has at most 19 digits and is at most 2^53,
    /// and the decimal exponent is within ±22: both are exact doubles, so one multiplication
    /// or division rounds correctly. Otherwise `strtod` (in the C locale) on a NUL-terminated
    /// copy of the text.
    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var significand: UInt64 = 0
        var digits = 0
        var exponent = 0
        // Integer part.
        while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
            if significand != 0 || text[index] != UInt8(ascii: "0") { digits += 1 }
            significand = significand &* 10 &+ UInt64(text[index] &- UInt8(ascii: "0"))
            index += 1
        }
        // Fraction.
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
                if significand != 0 || text[index] != UInt8(ascii: "0") { digits += 1 }
                significand = significand &* 10 &+ UInt64(text[index] &- UInt8(ascii: "0"))
                exponent -= 1
                index += 1
            }
        }
        // Exponent.
        if index < text.count {
            index += 1  // e or E
            var exponentNegative = false
            if text[index] == UInt8(ascii: "-") {
                exponentNegative = true
                index += 1
            } else if text[index] == UInt8(ascii: "+") {
                index += 1
            }
            var value = 0
            while index < text.count {
                if value < 100_000 { value = value * 10 + Int(text[index] &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += exponentNegative ? -value : value
        }
        if digits <= 19, significand <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(significand)
            if exponent < 0 {
                value /= powersOfTen[-exponent]
            } else {
                value *= powersOfTen[exponent]
            }
            return negative ? -value : value
        }
        if significand == 0, digits == 0 { return negative ? -0.0 : 0.0 }
        return strtodCopy(text)
    }

    /// `Float` goes through `strtof` so it is rounded once, from the decimal text.
    static func float(_ text: UnsafeBufferPointer<UInt8>) -> Float {
        withNulTerminated(text) { text in inCLocale { strtof(text, nil) } }
    }

    private static func strtodCopy(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withNulTerminated(text) { text in inCLocale { strtod(text, nil) } }
    }

    private static func withNulTerminated<R>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<CChar>) -> R)
        -> R
    {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            let base = buffer.baseAddress!
            text.withMemoryRebound(to: CChar.self) { source in
                base.initialize(from: source.baseAddress!, count: source.count)
            }
            base[text.count] = 0
            return body(base)
        }
    }
}

/// The C locale, for `strtod`: a process's `setlocale` must not change what `.` means.
/// (`strtod_l` would take it directly, but Glibc's module map does not export it.)
private nonisolated(unsafe) let cLocale: locale_t = newlocale(LC_NUMERIC_MASK, "C", nil)!

/// Runs `body` with this thread's locale set to the C locale.
@inline(__always) private func inCLocale<R>(_ body: () -> R) -> R {
    let previous = uselocale(cLocale)
    defer { uselocale(previous) }
    return body()
}
