/// A number in a document that no `JSONValue` can hold (its magnitude rounds to infinity).
struct NumberFailure: Error {
    var index: Int
    var error: JSONSyntaxError
}

extension Document {
    /// The value at `index`, built straight from the tape: no `Decodable` probing.
    ///
    /// An integer literal that fits an `Int64` is ``JSONValue/integer(_:)``; any other number is
    /// ``JSONValue/number(_:)`` (a longer integer too), and one beyond `Double`'s range throws.
    func jsonValue(at index: Int) throws(NumberFailure) -> JSONValue {
        let entry = tape[index]
        switch entry.kind {
        case Kind.null:
            return .null
        case Kind.true:
            return .bool(true)
        case Kind.false:
            return .bool(false)
        case Kind.string:
            return .string(string(index))
        case Kind.integer, Kind.float:
            let text = numberText(index)
            // `-0` stays a double: as an integer it would lose its sign, and the encoder writes
            // -0.0 as `-0`, so a JSONValue holding it would not come back as itself (JSONFuzz).
            if entry.kind == Kind.integer, !text.elementsEqual("-0".utf8),
                let integer = NumberParsing.int64(text)
            {
                return .integer(integer)
            }
            let double = NumberParsing.double(text)
            guard double.isFinite else {
                throw NumberFailure(
                    index: index,
                    error: JSONSyntaxError(
                        byteOffset: Int(entry.offset),
                        message: "the number \(String(decoding: text, as: UTF8.self)) is beyond the range of a Double"))
            }
            return .number(double)
        case Kind.array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(entry.a))
            var element = index + 1
            let end = Int(entry.b)
            while element < end {
                elements.append(try jsonValue(at: element))
                element = next(element)
            }
            return .array(elements)
        default:
            var members = [String: JSONValue](minimumCapacity: Int(entry.a))
            var key = index + 1
            let end = Int(entry.b)
            while key < end {
                members[string(key)] = try jsonValue(at: key + 1)
                key = next(key + 1)
            }
            return .object(members)
        }
    }
}

/// The second pass of `sortedKeys` and `prettyPrinted`: the encoder's output parsed again and
/// written out with members sorted and indentation added. Strings are written again from
/// their unescaped bytes with the encoder's own escaping, so they come out as they went in.
enum Reformatter {
    static func reformat(_ bytes: [UInt8], sortedKeys: Bool, prettyPrinted: Bool) -> [UInt8] {
        guard
            let document = try? bytes.withUnsafeBytes({ raw throws(ParseFailure) in
                try Document.parse(copying: raw, maximumDepth: .max)
            })
        else { return bytes }
        var writer = ByteWriter(capacity: bytes.count + (prettyPrinted ? bytes.count / 2 : 0) + 16)
        defer { writer.release() }
        var formatter = Reformatter.State(document: document, sortedKeys: sortedKeys, prettyPrinted: prettyPrinted)
        formatter.write(0, to: &writer, indent: 0)
        return writer.bytes
    }

    struct State {
        let document: Document
        let sortedKeys: Bool
        let prettyPrinted: Bool

        mutating func write(_ index: Int, to writer: inout ByteWriter, indent: Int) {
            let entry = document.tape[index]
            switch entry.kind {
            case Kind.null: writer.append("null")
            case Kind.true: writer.append("true")
            case Kind.false: writer.append("false")
            case Kind.string: writer.append(quoted: document.bytes(index))
            case Kind.integer, Kind.float: writer.append(document.numberText(index))
            case Kind.array:
                if entry.a == 0 { return writer.append("[]") }
                writer.append(UInt8(ascii: "["))
                var element = index + 1
                var first = true
                while element < Int(entry.b) {
                    if !first { writer.append(UInt8(ascii: ",")) }
                    first = false
                    newline(&writer, indent + 1)
                    write(element, to: &writer, indent: indent + 1)
                    element = document.next(element)
                }
                newline(&writer, indent)
                writer.append(UInt8(ascii: "]"))
            default:
                if entry.a == 0 { return writer.append("{}") }
                var keys = document.memberKeys(index)
                if sortedKeys {
                    let document = self.document
                    keys.sort { document.bytes($0).lexicographicallyPrecedes(document.bytes($1)) }
                }
                writer.append(UInt8(ascii: "{"))
                for (position, key) in keys.enumerated() {
                    if position > 0 { writer.append(UInt8(ascii: ",")) }
                    newline(&writer, indent + 1)
                    writer.append(quoted: document.bytes(key))
                    writer.append(prettyPrinted ? ": " : ":")
                    write(key + 1, to: &writer, indent: indent + 1)
                }
                newline(&writer, indent)
                writer.append(UInt8(ascii: "}"))
            }
        }

        private func newline(_ writer: inout ByteWriter, _ indent: Int) {
            guard prettyPrinted else { return }
            writer.reserve(1 + 2 * indent)
            writer.append(UInt8(ascii: "\n"))
            for _ in 0..<indent { writer.append("  ") }
        }
    }
}
