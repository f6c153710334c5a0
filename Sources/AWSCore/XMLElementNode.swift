/// One element of a small XML document: its local name, its child elements and its text.
///
/// The query protocol (SNS) answers in flat, namespace-default XML of a few fields. This
/// parser reads exactly that — elements, text, entities, CDATA; attributes, comments,
/// processing instructions and DOCTYPE are skipped — instead of FoundationXML, which would
/// bring libxml2 into every bootstrap that publishes to SNS.
package struct XMLElementNode: Sendable, Equatable {
    package var name: String
    package var children: [XMLElementNode]
    /// The element's own character data, entities decoded, untrimmed.
    package var text: String

    package init(name: String, children: [XMLElementNode] = [], text: String = "") {
        self.name = name
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    package func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// Follows a path of child names: `root.path("PublishResult", "MessageId")`.
    package func path(_ names: String...) -> XMLElementNode? {
        var node = self
        for name in names {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node
    }

    /// The first descendant (depth first) named `name`.
    package func descendant(_ name: String) -> XMLElementNode? {
        for child in children {
            if child.name == name { return child }
            if let found = child.descendant(name) { return found }
        }
        return nil
    }

    package struct ParseError: Error, CustomStringConvertible {
        package var offset: Int
        package var reason: String
        package var description: String { "XML at byte \(offset): \(reason)" }
    }

    /// Parses a document and returns its root element.
    package static func parse(_ bytes: [UInt8]) throws(ParseError) -> XMLElementNode {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }
}

private struct Parser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLElementNode.ParseError) -> XMLElementNode {
        try skipMisc()
        guard peek("<") else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, the XML declaration, comments, processing instructions, DOCTYPE.
    mutating func skipMisc() throws(XMLElementNode.ParseError) {
        while true {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<!DOCTYPE") {
                try skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func element() throws(XMLElementNode.ParseError) -> XMLElementNode {
        index += 1  // "<"
        let qualified = name()
        guard !qualified.isEmpty else { throw fail("missing element name") }
        var node = XMLElementNode(name: localName(qualified))
        // Attributes: skipped, quoted values may hold ">" or "/".
        while index < bytes.count, bytes[index] != UInt8(ascii: ">"), !peek("/>") {
            if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
            }
            index += 1
        }
        if peek("/>") {
            index += 2
            return node
        }
        guard index < bytes.count else { throw fail("unterminated start tag <\(qualified)>") }
        index += 1  // ">"
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated element <\(qualified)>") }
            if peek("</") {
                index += 2
                let closing = name()
                guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard peek(">") else { throw fail("malformed end tag </\(closing)>") }
                index += 1
                node.text = String(decoding: text, as: UTF8.self)
                return node
            } else if peek("<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>")
                text += bytes[start..<(index - 3)]
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<?") {
                try skip(past: "?>")
            } else if peek("<") {
                node.children.append(try element())
            } else if peek("&") {
                text += try entity()
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
    }

    mutating func entity() throws(XMLElementNode.ParseError) -> [UInt8] {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ";"), index - start < 12 { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw fail("unterminated entity") }
        let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
        index += 1
        switch name {
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "amp": return Array("&".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            var scalar: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                scalar = UInt32(name.dropFirst(1))
            }
            guard let scalar, let unicode = Unicode.Scalar(scalar) else { throw fail("unknown entity &\(name);") }
            return Array(String(Character(unicode)).utf8)
        }
    }

    mutating func name() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") { break }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    func peek(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
    }

    mutating func skip(past literal: StaticString) throws(XMLElementNode.ParseError) {
        while index < bytes.count {
            if peek(literal) {
                index += literal.utf8CodeUnitCount
                return
            }
            index += 1
        }
        throw fail("missing \(literal)")
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func fail(_ reason: String) -> XMLElementNode.ParseError { .init(offset: index, reason: reason) }
}
