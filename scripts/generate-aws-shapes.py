#!/usr/bin/env python3
"""Writes the request/response shapes of the kit's AWS clients from botocore's service models.

    scripts/generate-aws-shapes.py            # (re)write Sources/AWS*/Generated/*.swift
    scripts/generate-aws-shapes.py --check    # exit 1 with a diff when they are not up to date

For each client, every structure reachable from the input and output shapes of the operations
in OPERATIONS below (error shapes aside) becomes a Swift struct nested in the service's
namespace (`SQS.SendMessageRequest`), and every string shape with an `enum` becomes an
extensible `RawRepresentable` struct. Names are botocore's. No Foundation: blobs are
`[UInt8]` (base64 on the wire), timestamps `UTCTime` (epoch seconds on the JSON wire), with
the coding helpers of Sources/AWSCore/WireValues.swift. Query-protocol services (SNS) also
get `addQueryParameters(to:prefix:)` (botocore's QuerySerializer) on their input shapes and
`init(xml:)` (botocore's QueryParser) on their output shapes.

Python 3.11, the standard library and botocore only. The botocore version is pinned
(BOTOCORE_VERSION): a different one is refused unless --allow-version-change is given, and
the version is written into each file's header.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import gzip
import html
import json
import os
import re
import sys
from pathlib import Path

import botocore

BOTOCORE_VERSION = "1.43.11"

SCRIPT_PATH = "scripts/generate-aws-shapes.py"
MAX_FILE_LINES = 400
MAX_LINE_LENGTH = 120
MAX_DOC_LENGTH = 110
INDENT = "    "


# MARK: - What is generated


@dataclasses.dataclass(frozen=True)
class Service:
    namespace: str  # the Swift namespace enum, and the files' stem
    model: str  # botocore's service directory
    api_version: str
    protocol: str  # the protocol the model must declare: "json" or "query"
    directory: str  # where the files go, relative to the package root
    operations: tuple[str, ...]


OPERATIONS: tuple[Service, ...] = (
    Service(
        namespace="DynamoDB",
        model="dynamodb",
        api_version="2012-08-10",
        protocol="json",
        directory="Sources/AWSDynamoDB/Generated",
        operations=("PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "TransactWriteItems"),
    ),
    Service(
        namespace="SQS",
        model="sqs",
        api_version="2012-11-05",
        protocol="json",
        directory="Sources/AWSSQS/Generated",
        operations=(
            "SendMessage",
            "SendMessageBatch",
            "ReceiveMessage",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility",
            "GetQueueAttributes",
            "GetQueueUrl",
        ),
    ),
    Service(
        namespace="SNS",
        model="sns",
        api_version="2010-03-31",
        protocol="query",
        directory="Sources/AWSSNS/Generated",
        operations=("Publish", "PublishBatch"),
    ),
    Service(
        namespace="EventBridge",
        model="events",
        api_version="2015-10-07",
        protocol="json",
        directory="Sources/AWSEventBridge/Generated",
        operations=("PutEvents",),
    ),
)

# Shapes that map to hand-written Swift types instead of being generated: (model, shape) → type.
EXTERNAL_TYPES = {
    ("dynamodb", "AttributeValue"): "AttributeValue",
}


# MARK: - Swift names

# Words of a member name spelled as Swift's API guidelines spell acronyms (not in first place,
# where a word is all lower case).
ACRONYMS = {
    "Id": "ID",
    "Ids": "IDs",
    "Arn": "ARN",
    "Arns": "ARNs",
    "Url": "URL",
    "Urls": "URLs",
    "Uri": "URI",
    "Json": "JSON",
    "Http": "HTTP",
    "Ip": "IP",
    "Ttl": "TTL",
    "Kms": "KMS",
    "Sse": "SSE",
}
# First words spelled differently from their plain lower case.
LEADING_WORDS = {
    "MD5": "md5",
    "Md5": "md5",
}

# An all-capitals run (AWS, GB, MD5) ends where a capitalized word starts; then capitalized words,
# lower-case words and digits.
WORD = re.compile(r"[A-Z]{2,}[0-9]*(?=[A-Z][a-z]|[^A-Za-z0-9]|$)|[A-Z][a-z]*[0-9]*|[a-z]+[0-9]*|[0-9]+")

SWIFT_KEYWORDS = frozenset(
    """
    associatedtype borrowing class consuming deinit enum extension fileprivate func import init
    inout internal let nonisolated open operator private precedencegroup protocol public rethrows
    static struct subscript typealias var break case catch continue default defer do else
    fallthrough for guard if in repeat return throw switch where while Any as await false is nil
    self Self super throws true try _
    """.split()
)

# Swift types the generated code names unqualified: no generated shape may shadow them.
RESERVED_TYPE_NAMES = frozenset(
    """
    String Int Bool Double UInt8 Array Dictionary Optional UTCTime AttributeValue QueryParameters
    XMLElementNode Base64 CodingKeys CodingKey Decoder Encoder Codable Sendable Equatable Hashable
    RawRepresentable CodingKeyRepresentable
    """.split()
)


def words(name: str) -> list[str]:
    found = WORD.findall(name)
    if "".join(found) != re.sub(r"[^A-Za-z0-9]", "", name):
        raise GeneratorError(f"cannot split {name!r} into words")
    return found


def lower_camel(parts: list[str]) -> str:
    """Words of PascalCase or camelCase names → lowerCamelCase with the acronym table applied."""
    first, rest = parts[0], parts[1:]
    first = LEADING_WORDS.get(first, first.lower())
    return first + "".join(ACRONYMS.get(word, word[0].upper() + word[1:]) for word in rest)


def member_name(name: str) -> str:
    """`QueueUrl` → `queueURL`, `MD5OfBody` → `md5OfBody`, `QueueOwnerAWSAccountId` → `queueOwnerAWSAccountID`."""
    return lower_camel(words(name))


def enum_case_name(value: str) -> str:
    """`ALL_NEW` → `allNew`, `TOTAL` → `total`, `SentTimestamp` → `sentTimestamp`."""
    pieces = [piece for piece in re.split(r"[^A-Za-z0-9]+", value) if piece]
    if not pieces:
        raise GeneratorError(f"enum value {value!r} has no letters or digits")
    if not re.search(r"[a-z]", value):
        parts = [piece.lower().capitalize() for piece in pieces]
    else:
        parts = [word for piece in pieces for word in words(piece)]
    name = lower_camel(parts)
    if name[0].isdigit():
        name = "v" + name
    return name


def identifier(name: str) -> str:
    """A name as a Swift declaration or bare reference spells it."""
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


# MARK: - Documentation


def first_sentence(documentation: str | None, limit: int) -> str | None:
    """The first sentence of botocore's HTML documentation as plain text of at most `limit` characters."""
    if not documentation:
        return None
    # A paragraph is a sentence even when its period is missing ("…to send</p> <p>Each…").
    text = re.sub(r"([A-Za-z0-9`)>])\s*</p>", r"\1.</p>", documentation)
    text = re.sub(r"<code>(.*?)</code>", code_span, text, flags=re.S)
    text = strip_tags(text)
    text = html.unescape(text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"``", "", text)
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)  # "Developer Guide ." → "Developer Guide."
    if not text:
        return None
    end = None
    for match in re.finditer(r"[.!?](?=\s|$)", text):
        before = text[: match.start()].rsplit(" ", 1)[-1].lower()
        if before in ("e.g", "i.e", "etc", "vs", "approx") or re.fullmatch(r"[a-z]", before):
            continue
        end = match.end()
        break
    sentence = text[:end] if end else text
    if len(sentence) > limit:
        cut = sentence[: limit - 1]
        if " " in cut:
            cut = cut[: cut.rfind(" ")]
        sentence = cut.rstrip(" ,;:(") + "…"
    return sentence


def code_span(match: re.Match) -> str:
    """`<code>Name.</code>` → "`Name`.": the text in backticks, trailing punctuation after them."""
    code = " ".join(strip_tags(match.group(1)).split())
    trailing = re.search(r"[.,;:]*$", code).group(0)
    code = code[: len(code) - len(trailing)].strip()
    return f" `{code}`{trailing} " if code else f" {trailing} "


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>", " ", text)


# MARK: - Models


class GeneratorError(Exception):
    pass


def botocore_data_directory() -> Path:
    return Path(os.path.dirname(botocore.__file__)) / "data"


def load_model(service: Service) -> dict:
    """The model as botocore ships it, from botocore's own data directory (never ~/.aws/models)."""
    directory = botocore_data_directory() / service.model / service.api_version
    plain = directory / "service-2.json"
    if plain.exists():
        with open(plain, encoding="utf-8") as file:
            model = json.load(file)
    else:
        with gzip.open(directory / "service-2.json.gz", "rt", encoding="utf-8") as file:
            model = json.load(file)
    protocol = model["metadata"].get("protocol")
    if protocol != service.protocol:
        raise GeneratorError(
            f"{service.model}/{service.api_version} declares protocol {protocol!r}, the table says {service.protocol!r}"
        )
    return model


# MARK: - Shapes


@dataclasses.dataclass
class Member:
    wire: str  # the member's name in the model
    location: str  # its name on the wire: locationName, or the member name
    bare: str  # the Swift property name
    target: str  # the member's shape
    swift_type: str  # without the `?` of optional members
    required: bool
    documentation: str | None

    @property
    def name(self) -> str:
        return identifier(self.bare)


class ServiceShapes:
    """The shapes of one service that are generated, and their Swift text."""

    def __init__(self, service: Service, model: dict):
        self.service = service
        self.model = model
        self.shapes: dict = model["shapes"]
        self.structures: set[str] = set()
        self.enums: set[str] = set()
        self.input_structures: set[str] = set()
        self.output_structures: set[str] = set()
        self.top_level_inputs: set[str] = set()
        for operation_name in service.operations:
            operation = model["operations"].get(operation_name)
            if operation is None:
                raise GeneratorError(f"{service.model} has no operation {operation_name}")
            if "input" in operation:
                name = operation["input"]["shape"]
                self.top_level_inputs.add(name)
                self.walk(name, self.input_structures, set())
            if "output" in operation:
                self.walk(operation["output"]["shape"], self.output_structures, set())
        for name in sorted(self.structures | self.enums):
            if name in RESERVED_TYPE_NAMES or name == service.namespace:
                raise GeneratorError(f"{service.model}: shape {name} would shadow a Swift type the code uses")

    @property
    def is_query(self) -> bool:
        return self.service.protocol == "query"

    def walk(self, name: str, reached: set[str], seen: set[str]) -> None:
        if name in seen or (self.service.model, name) in EXTERNAL_TYPES:
            return
        seen.add(name)
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            if shape.get("exception"):
                return
            self.structures.add(name)
            reached.add(name)
            for member in shape.get("members", {}).values():
                self.walk(member["shape"], reached, seen)
        elif kind == "list":
            self.walk(shape["member"]["shape"], reached, seen)
        elif kind == "map":
            self.walk(shape["key"]["shape"], reached, seen)
            self.walk(shape["value"]["shape"], reached, seen)
        elif kind == "string" and "enum" in shape:
            self.enums.add(name)

    # MARK: Types

    def swift_type(self, name: str) -> str:
        external = EXTERNAL_TYPES.get((self.service.model, name))
        if external:
            return external
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            return name
        if kind == "string":
            return name if "enum" in shape else "String"
        if kind in ("integer", "long"):
            return "Int"
        if kind == "boolean":
            return "Bool"
        if kind in ("double", "float"):
            return "Double"
        if kind == "blob":
            return "[UInt8]"
        if kind == "timestamp":
            return "UTCTime"
        if kind == "list":
            return f"[{self.swift_type(shape['member']['shape'])}]"
        if kind == "map":
            return f"[{self.swift_type(shape['key']['shape'])}: {self.swift_type(shape['value']['shape'])}]"
        raise GeneratorError(f"{self.service.model}: shape {name} has type {kind!r}, which has no Swift mapping")

    def kind(self, name: str) -> str:
        if (self.service.model, name) in EXTERNAL_TYPES:
            return "external"
        shape = self.shapes[name]
        if shape["type"] == "string" and "enum" in shape:
            return "enum"
        return shape["type"]

    def members(self, name: str) -> list[Member]:
        shape = self.shapes[name]
        required = set(shape.get("required", []))
        members = []
        for wire, member in shape.get("members", {}).items():
            documentation = member.get("documentation")
            if member.get("deprecated"):
                message = (member.get("deprecatedMessage") or "").rstrip(".")
                documentation = f"Deprecated: {message}." if message else "Deprecated."
            members.append(
                Member(
                    wire=wire,
                    location=member.get("locationName", wire),
                    bare=member_name(wire),
                    target=member["shape"],
                    swift_type=self.swift_type(member["shape"]),
                    required=wire in required,
                    documentation=documentation,
                )
            )
            if member.get("location") not in (None, "body") and not self.is_query:
                raise GeneratorError(f"{name}.{wire} is bound to the {member['location']}, which is not supported")
        names = [member.bare for member in members]
        if len(set(names)) != len(names):
            raise GeneratorError(f"{name}: two members have the same Swift name: {names}")
        return members

    def wire_coding(self, member: Member) -> str | None:
        """The helper that codes a member whose JSON wire form is not Swift's default, or `None`."""
        kind = self.kind(member.target)
        if kind == "blob":
            return "Base64"
        if kind == "timestamp":
            self.check_epoch_seconds(member)
            return "EpochSeconds"
        if kind == "list" and self.kind(self.shapes[member.target]["member"]["shape"]) == "blob":
            return "Base64List"
        if self.contains_wire_value(member.target, set()):
            raise GeneratorError(
                f"{member.wire} ({member.swift_type}) nests a blob or timestamp in a way WireValues.swift does not code"
            )
        return None

    def contains_wire_value(self, name: str, seen: set[str]) -> bool:
        """Whether a list or map shape holds blobs or timestamps (structures code their own members)."""
        if name in seen:
            return False
        seen.add(name)
        kind = self.kind(name)
        if kind in ("blob", "timestamp"):
            return True
        shape = self.shapes.get(name, {})
        if kind == "list":
            return self.contains_wire_value(shape["member"]["shape"], seen)
        if kind == "map":
            return self.contains_wire_value(shape["value"]["shape"], seen)
        return False

    def check_epoch_seconds(self, member: Member) -> None:
        formats = {self.shapes[member.target].get("timestampFormat")}
        if not self.is_query and formats - {None, "unixTimestamp"}:
            raise GeneratorError(f"{member.wire}: timestamp format {formats} is not epoch seconds")

    # MARK: Swift

    def documentation_lines(self, documentation: str | None, indent: str) -> list[str]:
        limit = min(MAX_DOC_LENGTH, MAX_LINE_LENGTH - len(indent) - 4)
        sentence = first_sentence(documentation, limit)
        return [f"{indent}/// {sentence}"] if sentence else []

    def declaration(self, name: str) -> list[str]:
        if name in self.enums:
            return self.enum_declaration(name)
        return self.struct_declaration(name)

    def enum_declaration(self, name: str) -> list[str]:
        shape = self.shapes[name]
        lines = self.documentation_lines(shape.get("documentation"), INDENT)
        lines += wrapped_type_header(
            INDENT,
            f"public struct {name}",
            [
                "RawRepresentable", "Codable", "CodingKeyRepresentable", "ExpressibleByStringLiteral", "Hashable",
                "Sendable",
            ],
        )
        inner = INDENT * 2
        lines += [
            f"{inner}public var rawValue: String",
            "",
            f"{inner}public init(rawValue: String) {{",
            f"{inner}{INDENT}self.rawValue = rawValue",
            f"{inner}}}",
            "",
            f"{inner}public init(stringLiteral value: String) {{",
            f"{inner}{INDENT}self.rawValue = value",
            f"{inner}}}",
            "",
        ]
        seen: dict[str, str] = {}
        for value in shape["enum"]:
            case = enum_case_name(value)
            if case in seen:
                raise GeneratorError(f"{name}: {value!r} and {seen[case]!r} are both named {case}")
            seen[case] = value
            declaration = f"public static let {identifier(case)} = Self"
            lines += wrapped_call(inner, declaration, [f"rawValue: {swift_string(value)}"])
        lines.append(f"{INDENT}}}")
        return lines

    def struct_declaration(self, name: str) -> list[str]:
        shape = self.shapes[name]
        members = self.members(name)
        inner = INDENT * 2
        lines = self.documentation_lines(shape.get("documentation"), INDENT)
        lines.append(f"{INDENT}public struct {name}: Sendable, Equatable, Codable {{")
        opening = len(lines)
        for member in members:
            lines += self.documentation_lines(member.documentation, inner)
            optional = "" if member.required else "?"
            lines.append(f"{inner}public var {member.name}: {member.swift_type}{optional}")
        sections = [self.memberwise_init(members)]
        codings = {member.bare: self.wire_coding(member) for member in members}
        if any(codings.values()):
            sections.append(self.decoding_init(members, codings))
            sections.append(self.encode_function(members, codings))
        if self.is_query and name in self.input_structures:
            sections.append(self.query_function(name, members))
            if name in self.top_level_inputs:
                sections.append(self.query_property())
        if self.is_query and name in self.output_structures:
            sections.append(self.xml_init(name, members))
        if members:
            keys = [f"{inner}enum CodingKeys: String, CodingKey {{"]
            keys += [f"{inner}{INDENT}case {member.name} = {swift_string(member.location)}" for member in members]
            keys.append(f"{inner}}}")
            sections.append(keys)
        for section in sections:
            if len(lines) > opening:  # a blank line after the properties and between sections
                lines.append("")
            lines += section
        lines.append(f"{INDENT}}}")
        return lines

    def memberwise_init(self, members: list[Member]) -> list[str]:
        inner = INDENT * 2
        # The model's order, as AWS's documentation lists the members; Swift lets a parameter
        # without a default follow ones with.
        ordered = members
        parameters = [
            f"{member.name}: {member.swift_type}" + ("" if member.required else "? = nil") for member in ordered
        ]
        if not members:
            return [f"{inner}public init() {{}}"]
        lines = wrapped_declaration(inner, "public init", parameters, " {")
        lines += [f"{inner}{INDENT}self.{member.name} = {member.name}" for member in members]
        lines.append(f"{inner}}}")
        return lines

    def decoding_init(self, members: list[Member], codings: dict[str, str | None]) -> list[str]:
        inner = INDENT * 2
        body = inner + INDENT
        lines = [
            f"{inner}public init(from decoder: any Decoder) throws {{",
            f"{body}let container = try decoder.container(keyedBy: CodingKeys.self)",
        ]
        for member in members:
            coding = codings[member.bare]
            suffix = "" if member.required else "IfPresent"
            if coding:
                call, arguments = f"container.decode{coding}{suffix}", [f"forKey: .{member.name}"]
            else:
                call, arguments = f"container.decode{suffix}", [f"{member.swift_type}.self", f"forKey: .{member.name}"]
            lines += wrapped_call(body, f"self.{member.name} = try {call}", arguments)
        lines.append(f"{inner}}}")
        return lines

    def encode_function(self, members: list[Member], codings: dict[str, str | None]) -> list[str]:
        inner = INDENT * 2
        body = inner + INDENT
        lines = [
            f"{inner}public func encode(to encoder: any Encoder) throws {{",
            f"{body}var container = encoder.container(keyedBy: CodingKeys.self)",
        ]
        for member in members:
            coding = codings[member.bare] or ""
            suffix = "" if member.required else "IfPresent"
            lines += wrapped_call(
                body, f"try container.encode{coding}{suffix}", [f"self.{member.name}", f"forKey: .{member.name}"]
            )
        lines.append(f"{inner}}}")
        return lines

    # MARK: Query protocol: requests

    def query_property(self) -> list[str]:
        inner = INDENT * 2
        body = inner + INDENT
        return [
            f"{inner}/// The operation's parameters as the query protocol sends them (without `Action` and `Version`).",
            f"{inner}public var queryParameters: QueryParameters {{",
            f"{body}var parameters = QueryParameters()",
            f'{body}addQueryParameters(to: &parameters, prefix: "")',
            f"{body}return parameters",
            f"{inner}}}",
        ]

    def query_function(self, name: str, members: list[Member]) -> list[str]:
        """botocore's QuerySerializer: members in model order, `Name.member.N` lists,
        `Name.entry.N.Name/Value` maps (entries sorted by key), booleans as true/false, blobs base64."""
        inner = INDENT * 2
        body = inner + INDENT
        signature = f"{inner}func addQueryParameters(to parameters: inout QueryParameters, prefix: String) {{"
        if not members:
            return [signature[:-1] + "{}"]
        lines = [signature, f'{body}let base = prefix.isEmpty ? "" : "\\(prefix)."']
        for member in members:
            shadowed = member.bare in QUERY_LOCALS or member.bare in SWIFT_KEYWORDS
            reference = f"self.{member.name}" if shadowed else member.name
            prefix = f"\\(base){member.location}"
            if self.kind(member.target) not in ("structure", "list", "map"):
                value = self.query_scalar(member.target, reference, optional=not member.required)
                lines += wrapped_call(body, "parameters.add", [swift_interpolated(prefix), value])
            elif member.required:
                lines += self.query_value(member.target, reference, prefix, body, 1)
            else:
                bound = member.name if reference == member.name else "memberValue"
                binding = f"if let {bound}" if bound == member.name else f"if let {bound} = {reference}"
                lines.append(f"{body}{binding} {{")
                lines += self.query_value(member.target, bound, prefix, body + INDENT, 1)
                lines.append(f"{body}}}")
        lines.append(f"{inner}}}")
        return lines

    def query_scalar(self, name: str, value: str, optional: bool) -> str:
        kind = self.kind(name)
        conversion = {
            "string": None,
            "enum": "$0.rawValue",
            "integer": "String($0)",
            "long": "String($0)",
            "double": "String($0)",
            "float": "String($0)",
            "boolean": '$0 ? "true" : "false"',
            "blob": "Base64.encode($0)",
            # botocore: ISO 8601, with microseconds when there is a fraction of a second.
            "timestamp": "$0.iso8601(fractionalDigits: $0.nanosecondsSince1970 % 1_000_000_000 == 0 ? 0 : 6)",
        }
        if kind not in conversion:
            raise GeneratorError(f"{name}: a {kind} has no query-protocol form")
        template = conversion[kind]
        if template is None:
            return value
        if kind == "enum":
            return f"{value}?.rawValue" if optional else f"{value}.rawValue"
        if optional:
            return f"{value}.map {{ {template} }}"
        if kind == "timestamp":
            return f"{value}.iso8601(fractionalDigits: {value}.nanosecondsSince1970 % 1_000_000_000 == 0 ? 0 : 6)"
        return template.replace("$0", value)

    def query_value(self, name: str, value: str, prefix: str, indent: str, depth: int) -> list[str]:
        """The statements that add a non-optional `value` of shape `name` under the parameter name `prefix`."""
        kind = self.kind(name)
        shape = self.shapes[name]
        suffix = "" if depth == 1 else str(depth)
        if kind == "structure":
            return wrapped_call(
                indent, f"{value}.addQueryParameters", ["to: &parameters", f"prefix: {swift_interpolated(prefix)}"]
            )
        if kind == "list":
            member = shape["member"]
            if shape.get("flattened"):
                if "locationName" in member:
                    raise GeneratorError(f"{name}: a flattened list with a member locationName is not supported")
                list_prefix = prefix
            else:
                list_prefix = f"{prefix}.{member.get('locationName', 'member')}"
            index, element = f"index{suffix}", f"element{suffix}"
            lines = [
                f"{indent}if {value}.isEmpty {{",  # botocore sends an empty list as an empty parameter
                f"{indent}{INDENT}parameters.add({swift_interpolated(prefix)}, \"\")",
                f"{indent}}}",
                f"{indent}for ({index}, {element}) in {value}.enumerated() {{",
            ]
            element_prefix = f"{list_prefix}.\\({index} + 1)"
            lines += self.query_element(member["shape"], element, element_prefix, indent + INDENT, depth)
            lines.append(f"{indent}}}")
            return lines
        if kind == "map":
            key, val = shape["key"], shape["value"]
            entry_prefix = prefix if shape.get("flattened") else f"{prefix}.entry"
            index, entry = f"index{suffix}", f"entry{suffix}"
            order = "$0.key.rawValue < $1.key.rawValue" if self.kind(key["shape"]) == "enum" else "$0.key < $1.key"
            lines = [f"{indent}for ({index}, {entry}) in {value}.sorted(by: {{ {order} }}).enumerated() {{"]
            entry_name = f"{entry_prefix}.\\({index} + 1)"
            key_prefix = f"{entry_name}.{key.get('locationName', 'key')}"
            value_prefix = f"{entry_name}.{val.get('locationName', 'value')}"
            lines += self.query_element(key["shape"], f"{entry}.key", key_prefix, indent + INDENT, depth)
            lines += self.query_element(val["shape"], f"{entry}.value", value_prefix, indent + INDENT, depth)
            lines.append(f"{indent}}}")
            return lines
        raise GeneratorError(f"{name}: unexpected {kind}")

    def query_element(self, name: str, value: str, prefix: str, indent: str, depth: int) -> list[str]:
        if self.kind(name) in ("structure", "list", "map"):
            return self.query_value(name, value, prefix, indent, depth + 1)
        scalar = self.query_scalar(name, value, False)
        return wrapped_call(indent, "parameters.add", [swift_interpolated(prefix), scalar])

    # MARK: Query protocol: results

    def xml_init(self, name: str, members: list[Member]) -> list[str]:
        """botocore's QueryParser: members are the children named by their wire names, lists the
        `<member>` children of theirs."""
        inner = INDENT * 2
        body = inner + INDENT
        if not members:
            return [f"{inner}package init(xml: XMLElementNode) throws {{}}"]
        lines = [f"{inner}package init(xml: XMLElementNode) throws {{"]
        for member in members:
            if self.kind(member.target) in ("list", "map") and self.shapes[member.target].get("flattened"):
                raise GeneratorError(f"{name}.{member.wire}: flattened lists and maps in results are not supported")
            reader = self.xml_reader(member.target)
            if member.required:
                head = f'self.{member.name} = try xml.requiredChild({swift_string(member.location)})'
            else:
                marker = "try " if reader.throws else ""
                head = f"self.{member.name} = {marker}xml.optionalChild({swift_string(member.location)})"
            lines += Reader(head, reader, True).render(body)
        lines.append(f"{inner}}}")
        return lines

    def xml_reader(self, name: str) -> "Reader":
        """How to read a `$0` element as the shape `name`."""
        kind = self.kind(name)
        shape = self.shapes[name]
        leaves = {
            "string": ("$0.text", False),
            "enum": (f"{name}(rawValue: $0.text)", False),
            "boolean": ("$0.boolValue()", False),
            "integer": ("try $0.intValue()", True),
            "long": ("try $0.intValue()", True),
            "double": ("try $0.doubleValue()", True),
            "float": ("try $0.doubleValue()", True),
            "blob": ("try $0.base64Value()", True),
            "timestamp": ("try $0.timestampValue()", True),
            "structure": (f"try {name}(xml: $0)", True),
        }
        if kind in leaves:
            text, throws = leaves[kind]
            return Reader(text, None, throws)
        if kind == "list":
            member = shape["member"]
            element = self.xml_reader(member["shape"])
            call = f"$0.members({swift_string(member.get('locationName', 'member'))})"
            return Reader(("try " if element.throws else "") + call, element, element.throws)
        if kind == "map":
            key, value = self.xml_reader(shape["key"]["shape"]), self.xml_reader(shape["value"]["shape"])
            if key.inner or value.inner:
                raise GeneratorError(f"{name}: maps of lists or maps in results are not supported")
            pair = f"({key.text.removeprefix('try ')}, {value.text.removeprefix('try ').replace('$0', '$1')})"
            arguments = ", ".join(
                [
                    swift_string("entry"),
                    f"key: {swift_string(shape['key'].get('locationName', 'key'))}",
                    f"value: {swift_string(shape['value'].get('locationName', 'value'))}",
                ]
            )
            return Reader(f"try $0.entries({arguments})", Reader(f"try {pair}", None, True), True)
        raise GeneratorError(f"{name}: a {kind} cannot be read from XML")


# Names the query functions declare, which members must not shadow.
QUERY_LOCALS = frozenset({"parameters", "prefix", "base", "memberValue"})


@dataclasses.dataclass
class Reader:
    """A Swift expression reading an element: `text`, or `text { inner }` when it has an inner reader."""

    text: str
    inner: "Reader | None"
    throws: bool

    def flat(self) -> str:
        return f"{self.text} {{ {self.inner.flat()} }}" if self.inner else self.text

    def render(self, indent: str) -> list[str]:
        line = indent + self.flat()
        if len(line) <= MAX_LINE_LENGTH or not self.inner:
            return [line]
        return [f"{indent}{self.text} {{", *self.inner.render(indent + INDENT), f"{indent}}}"]


# MARK: - Swift text


def swift_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def swift_interpolated(text: str) -> str:
    """A string literal of text that already holds `\\(…)` interpolations and no other escapes."""
    if '"' in text:
        raise GeneratorError(f"a parameter name holds a quote: {text}")
    return f'"{text}"'


def wrapped_call(indent: str, callee: str, arguments: list[str]) -> list[str]:
    """`callee(a, b)` on one line, else with the arguments on the next line, else one per line."""
    one_line = f"{indent}{callee}({', '.join(arguments)})"
    if len(one_line) <= MAX_LINE_LENGTH:
        return [one_line]
    continued = f"{indent}{INDENT}{', '.join(arguments)})"
    if len(continued) <= MAX_LINE_LENGTH:
        return [f"{indent}{callee}(", continued]
    lines = [f"{indent}{callee}("]
    lines += [f"{indent}{INDENT}{argument}," for argument in arguments[:-1]]
    lines.append(f"{indent}{INDENT}{arguments[-1]})")
    return lines


def wrapped_declaration(indent: str, head: str, parameters: list[str], tail: str) -> list[str]:
    """`head(a, b) {` on one line, else one parameter per line and `) {` on its own."""
    one_line = f"{indent}{head}({', '.join(parameters)}){tail}"
    if len(one_line) <= MAX_LINE_LENGTH:
        return [one_line]
    lines = [f"{indent}{head}("]
    lines += [f"{indent}{INDENT}{parameter}," for parameter in parameters[:-1]]
    lines.append(f"{indent}{INDENT}{parameters[-1]}")
    lines.append(f"{indent}){tail}")
    return lines


def wrapped_type_header(indent: str, head: str, conformances: list[str]) -> list[str]:
    one_line = f"{indent}{head}: {', '.join(conformances)} {{"
    if len(one_line) <= MAX_LINE_LENGTH:
        return [one_line]
    return [f"{indent}{head}:", f"{indent}{INDENT}{', '.join(conformances)}", f"{indent}{{"]


# MARK: - Files


def header(service: Service, version: str) -> str:
    return (
        f"// Generated by {SCRIPT_PATH} from botocore {version}'s "
        f"{service.model}/{service.api_version}/service-2.json. Do not edit."
    )


def imports_for(code: str) -> list[str]:
    modules = ["AWSCore"]
    if "Base64." in code:
        modules.append("TextEncodings")
    if "UTCTime" in code:
        modules.append("UTCTime")
    return [f"import {module}" for module in sorted(modules)]


def assemble(service: Service, version: str, declarations: list[list[str]], first: bool) -> str:
    body = []
    for declaration in declarations:
        if body:
            body.append("")
        body += declaration
    lines = [header(service, version), ""]
    lines += imports_for("\n".join(body))
    lines.append("")
    if first:
        lines += [
            f"/// The shapes of botocore's `{service.model}/{service.api_version}` model that the kit's client uses.",
            f"public enum {service.namespace} {{}}",
            "",
        ]
    lines.append(f"extension {service.namespace} {{")
    lines += body
    lines.append("}")
    return "\n".join(lines) + "\n"


def service_files(service: Service, version: str) -> dict[str, str]:
    """The files of one service: relative path → text."""
    shapes = ServiceShapes(service, load_model(service))
    declarations = [shapes.declaration(name) for name in sorted(shapes.structures | shapes.enums)]
    for declaration in declarations:
        for line in declaration:
            if len(line) > MAX_LINE_LENGTH:
                raise GeneratorError(f"line longer than {MAX_LINE_LENGTH} characters: {line.strip()}")
    stem = f"{service.namespace}Shapes"
    whole = assemble(service, version, declarations, True)
    if whole.count("\n") <= MAX_FILE_LINES:
        return {f"{service.directory}/{stem}.swift": whole}
    groups: list[list[list[str]]] = [[]]
    for declaration in declarations:
        candidate = groups[-1] + [declaration]
        if groups[-1] and assemble(service, version, candidate, len(groups) == 1).count("\n") > MAX_FILE_LINES:
            groups.append([declaration])
        else:
            groups[-1] = candidate
    files = {}
    for number, group in enumerate(groups, 1):
        text = assemble(service, version, group, number == 1)
        if text.count("\n") > MAX_FILE_LINES:
            raise GeneratorError(f"{service.namespace}: one shape alone exceeds {MAX_FILE_LINES} lines")
        files[f"{service.directory}/{stem}{number}.swift"] = text
    return files


def stale_files(root: Path, service: Service, written: dict[str, str]) -> list[str]:
    """Earlier generated files of the service that would no longer be written (a split that changed)."""
    directory = root / service.directory
    if not directory.is_dir():
        return []
    stale = []
    for path in sorted(directory.glob(f"{service.namespace}Shapes*.swift")):
        relative = f"{service.directory}/{path.name}"
        if relative not in written and path.read_text(encoding="utf-8").startswith(f"// Generated by {SCRIPT_PATH}"):
            stale.append(relative)
    return stale


def generate(root: Path, version: str, check: bool) -> int:
    differences = 0
    # Everything is generated before anything is written: an error leaves the tree as it was.
    generated = [(service, service_files(service, version)) for service in OPERATIONS]
    for service, files in generated:
        for relative, text in files.items():
            path = root / relative
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if check:
                differences += 1
                sys.stdout.writelines(
                    difflib.unified_diff(
                        (current or "").splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        fromfile=f"a/{relative}" if current is not None else "/dev/null",
                        tofile=f"b/{relative}",
                    )
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {relative}")
        for relative in stale_files(root, service, files):
            if check:
                differences += 1
                print(f"{relative}: would be removed (no longer generated)")
            else:
                (root / relative).unlink()
                print(f"removed {relative}")
    if check and differences:
        print(
            f"\n{differences} generated file(s) are not up to date: run {SCRIPT_PATH} and commit the result.",
            file=sys.stderr,
        )
        return 1
    return 0


# MARK: - Command line


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 with a diff when a file is not up to date")
    parser.add_argument(
        "--allow-version-change",
        action="store_true",
        help=f"run with a botocore other than {BOTOCORE_VERSION} (then update BOTOCORE_VERSION)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the package root (default: this script's parent directory)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    version = botocore.__version__
    if version != BOTOCORE_VERSION and not arguments.allow_version_change:
        print(
            f"error: botocore {version} is installed; the shapes are generated from botocore {BOTOCORE_VERSION}.\n"
            f"Install botocore=={BOTOCORE_VERSION}, or pass --allow-version-change to generate from {version} "
            "(and update BOTOCORE_VERSION in this script).",
            file=sys.stderr,
        )
        return 2
    try:
        return generate(arguments.root, version, arguments.check)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
