import Foundation
import JSONCoding
import Testing

/// JSONTestSuite's parsing cases through `JSON.decode` into `JSONValue`: every `y_` file
/// accepted, every `n_` file refused with a syntax error naming a byte offset, every `i_` file
/// as `Document.swift` decides, and none crashing.
@Suite struct JSONTestSuiteTests {
    /// The `i_` files: true where the decoder accepts the document. Numbers are refused only
    /// when they overflow a Double; invalid UTF-8, lone surrogates and UTF-16 are refused; a
    /// UTF-8 byte order mark and 500 levels of nesting are accepted.
    static let implementationDefined: [String: Bool] = [
        "i_number_double_huge_neg_exp.json": true,
        "i_number_huge_exp.json": false,
        "i_number_neg_int_huge_exp.json": false,
        "i_number_pos_double_huge_exp.json": false,
        "i_number_real_neg_overflow.json": false,
        "i_number_real_pos_overflow.json": false,
        "i_number_real_underflow.json": true,
        "i_number_too_big_neg_int.json": true,
        "i_number_too_big_pos_int.json": true,
        "i_number_very_big_negative_int.json": true,
        "i_object_key_lone_2nd_surrogate.json": false,
        "i_string_1st_surrogate_but_2nd_missing.json": false,
        "i_string_1st_valid_surrogate_2nd_invalid.json": false,
        "i_string_UTF-16LE_with_BOM.json": false,
        "i_string_UTF-8_invalid_sequence.json": false,
        "i_string_UTF8_surrogate_U+D800.json": false,
        "i_string_incomplete_surrogate_and_escape_valid.json": false,
        "i_string_incomplete_surrogate_pair.json": false,
        "i_string_incomplete_surrogates_escape_valid.json": false,
        "i_string_invalid_lonely_surrogate.json": false,
        "i_string_invalid_surrogate.json": false,
        "i_string_invalid_utf-8.json": false,
        "i_string_inverted_surrogates_U+1D11E.json": false,
        "i_string_iso_latin_1.json": false,
        "i_string_lone_second_surrogate.json": false,
        "i_string_lone_utf8_continuation_byte.json": false,
        "i_string_not_in_unicode_range.json": false,
        "i_string_overlong_sequence_2_bytes.json": false,
        "i_string_overlong_sequence_6_bytes.json": false,
        "i_string_overlong_sequence_6_bytes_null.json": false,
        "i_string_truncated-utf-8.json": false,
        "i_string_utf16BE_no_BOM.json": false,
        "i_string_utf16LE_no_BOM.json": false,
        "i_structure_500_nested_arrays.json": true,
        "i_structure_UTF-8_BOM_empty_object.json": true,
    ]

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: testSuiteDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func contents(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: testSuiteDirectory.appendingPathComponent(name)))
    }

    @Test func theSuiteIsThere() {
        #expect(Self.files.count > 300, "JSONTestSuite's files in \(testSuiteDirectory.path)")
    }

    @Test func acceptsEveryYFile() throws {
        for name in Self.files where name.hasPrefix("y_") {
            let input = try Self.contents(name)
            #expect(throws: Never.self, "\(name)") { _ = try JSON.decode(JSONValue.self, from: input) }
            #expect(throws: Never.self, "\(name) through JSONValue(parsing:)") { _ = try JSONValue(parsing: input) }
        }
    }

    @Test func refusesEveryNFileWithAByteOffset() throws {
        for name in Self.files where name.hasPrefix("n_") {
            let input = try Self.contents(name)
            let failure = syntaxError { _ = try JSON.decode(JSONValue.self, from: input) }
            #expect(failure != nil, "\(name) was accepted")
            if let (error, _) = failure {
                #expect((0...input.count).contains(error.byteOffset), "\(name): \(error)")
                #expect(error.description.hasPrefix("at byte \(error.byteOffset): "))
            }
            #expect(throws: JSONSyntaxError.self, "\(name)") { _ = try JSONValue(parsing: input) }
        }
    }

    @Test func decidesEveryIFileAsDocumented() throws {
        let iFiles = Self.files.filter { $0.hasPrefix("i_") }
        #expect(Set(iFiles) == Set(Self.implementationDefined.keys), "a new i_ file needs a decision")
        for name in iFiles {
            let input = try Self.contents(name)
            let accepted = (try? JSON.decode(JSONValue.self, from: input)) != nil
            #expect(accepted == Self.implementationDefined[name], "\(name)")
            if !accepted { #expect(syntaxError { _ = try JSON.decode(JSONValue.self, from: input) } != nil, "\(name)") }
        }
    }

    /// The same files into `JSONValue` through its `Decodable` conformance (the probing path a
    /// model's `JSONValue` field would take if it were not special-cased) and into a model:
    /// nothing crashes, and the verdicts agree.
    @Test func aModelSeesTheSameVerdicts() throws {
        struct Probe: Decodable {
            init(from decoder: any Decoder) throws {
                _ = try JSONValue(from: decoder)
            }
        }
        for name in Self.files {
            let input = try Self.contents(name)
            let direct = (try? JSON.decode(JSONValue.self, from: input)) != nil
            let probed = (try? JSON.decode(Probe.self, from: input)) != nil
            #expect(direct == probed, "\(name)")
        }
    }
}
