import Foundation
import LambdaEvents
import Yams

/// A value of a CloudFormation template, with its intrinsic functions kept as such until
/// the resources they name exist and can be resolved.
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([TemplateValue])
    case map([String: TemplateValue])
    /// `!Ref Name` / `{"Ref": "Name"}`.
    case ref(String)
    /// `!GetAtt Resource.Attribute`.
    case getAtt(resource: String, attribute: String)
    /// `!Sub "text ${Name} ${Res.Attr}"`, with optional local variables.
    case sub(String, variables: [String: TemplateValue])
    /// `!Join [delimiter, [values]]`.
    case join(String, [TemplateValue])
    /// Any other intrinsic (`!If`, `!DynamoDB.Select`, ...): kept so that an error can name it.
    case unsupported(function: String, TemplateValue)

    public subscript(key: String) -> TemplateValue? {
        if case .map(let map) = self { map[key] } else { nil }
    }

    public var string: String? {
        switch self {
        case .string(let text): text
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    public var int: Int? {
        switch self {
        case .number(let number): Int(exactly: number)
        case .string(let text): Int(text)
        default: nil
        }
    }

    public var list: [TemplateValue]? {
        if case .list(let list) = self { list } else { nil }
    }
}

/// One resource of the template.
public struct TemplateResource: Sendable, Equatable {
    public var logicalID: String
    public var type: String
    public var properties: TemplateValue
}

public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A CloudFormation / SAM template: parameters with their defaults, SAM's `Globals`, and
/// the resources, read from YAML (short-form tags) or JSON.
public struct CloudFormationTemplate: Sendable, Equatable {
    public var parameters: [String: TemplateValue]
    /// `Globals.Function`: properties every `AWS::Serverless::Function` inherits.
    public var functionGlobals: TemplateValue
    public var resources: [TemplateResource]
    /// `Outputs.<Name>.Value`.
    public var outputs: [String: TemplateValue] = [:]

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateError("cannot read the template \(path)")
        }
        try self.init(yaml: String(decoding: data, as: UTF8.self), source: path)
    }

    public init(yaml: String, source: String = "template") throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw TemplateError("\(source) is not valid YAML: \(error)")
        }
        guard let root else { throw TemplateError("\(source) is empty") }
        let value = try Self.value(of: root, at: "")
        guard case .map(let resources)? = value["Resources"] else { throw TemplateError("\(source) has no Resources") }
        var parameters: [String: TemplateValue] = [:]
        if case .map(let declared)? = value["Parameters"] {
            for (name, declaration) in declared {
                if let fallback = declaration["Default"] { parameters[name] = fallback }
            }
        }
        self.parameters = parameters
        self.functionGlobals = value["Globals"]?["Function"] ?? .map([:])
        if case .map(let declared)? = value["Outputs"] {
            for (name, output) in declared { outputs[name] = output["Value"] ?? .null }
        }
        self.resources = try resources.sorted { $0.key < $1.key }.map { logicalID, body in
            guard case .string(let type)? = body["Type"] else {
                throw TemplateError("\(source): resource \(logicalID) has no Type")
            }
            return TemplateResource(logicalID: logicalID, type: type, properties: body["Properties"] ?? .map([:]))
        }
    }

    public func resources(ofType type: String) -> [TemplateResource] {
        resources.filter { $0.type == type }
    }

    public func resource(_ logicalID: String) -> TemplateResource? {
        resources.first { $0.logicalID == logicalID }
    }

    // MARK: YAML → TemplateValue

    static func value(of node: Node, at path: String) throws -> TemplateValue {
        let tag = node.tag.description
        if tag.hasPrefix("!"), tag != "!" {
            return try intrinsic(String(tag.dropFirst()), argument: plain(node, at: path), at: path)
        }
        let value = try plain(node, at: path)
        // The long form: a one-key map naming an intrinsic.
        if case .map(let map) = value, map.count == 1, let (key, argument) = map.first {
            if key == "Ref" { return try intrinsic("Ref", argument: argument, at: path) }
            if key.hasPrefix("Fn::") { return try intrinsic(String(key.dropFirst(4)), argument: argument, at: path) }
        }
        return value
    }

    private static func plain(_ node: Node, at path: String) throws -> TemplateValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return node.bool.map(TemplateValue.bool) ?? .string(scalar.string)
            case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
                return node.float.map(TemplateValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .list(try sequence.enumerated().map { try value(of: $1, at: "\(path)[\($0)]") })
        case .mapping(let mapping):
            var map: [String: TemplateValue] = [:]
            for (key, child) in mapping {
                guard let name = key.string else { throw TemplateError("\(path): a mapping key is not a string") }
                map[name] = try value(of: child, at: path.isEmpty ? name : "\(path).\(name)")
            }
            return .map(map)
        }
    }

    private static func intrinsic(_ function: String, argument: TemplateValue, at path: String) throws -> TemplateValue
    {
        switch function {
        case "Ref":
            guard case .string(let name) = argument else { throw TemplateError("\(path): Ref takes a name") }
            return .ref(name)
        case "GetAtt":
            let parts: [String]
            switch argument {
            case .string(let text): parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            case .list(let items): parts = items.compactMap(\.string)
            default: parts = []
            }
            guard parts.count == 2 else { throw TemplateError("\(path): GetAtt takes Resource.Attribute") }
            return .getAtt(resource: parts[0], attribute: parts[1])
        case "Sub":
            switch argument {
            case .string(let text): return .sub(text, variables: [:])
            case .list(let items) where items.count == 2:
                guard case .string(let text) = items[0], case .map(let variables) = items[1] else { break }
                return .sub(text, variables: variables)
            default: break
            }
            throw TemplateError("\(path): Sub takes a string, or [string, {variables}]")
        case "Join":
            guard case .list(let items) = argument, items.count == 2, case .string(let delimiter) = items[0],
                case .list(let values) = items[1]
            else {
                throw TemplateError("\(path): Join takes [delimiter, [values]]")
            }
            return .join(delimiter, values)
        default:
            return .unsupported(function: function, argument)
        }
    }
}

/// What a template's `!Ref` and `!GetAtt` stand for once its resources exist.
public struct ResolvedNames: Sendable {
    /// `!Ref Resource` and `!Ref Parameter`.
    public var refs: [String: String] = [:]
    /// `!GetAtt Resource.Attribute`, keyed `Resource.Attribute`.
    public var attributes: [String: String] = [:]

    public init() {}

    public func resolve(_ value: TemplateValue, at path: String) throws -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let number): return Int64(exactly: number).map(JSONValue.integer) ?? .number(number)
        case .string(let text): return .string(text)
        case .list(let items): return .array(try items.enumerated().map { try resolve($1, at: "\(path)[\($0)]") })
        case .map(let map):
            var object: [String: JSONValue] = [:]
            for (key, child) in map { object[key] = try resolve(child, at: "\(path).\(key)") }
            return .object(object)
        default:
            return .string(try string(value, at: path))
        }
    }

    /// Those of `members` a resource's properties set, resolved: the request an AWS call takes
    /// for the resource (CreateTable, CreateUserPool, ...), members it does not know left out.
    public func resolve(_ members: [String], of resource: TemplateResource) throws -> [String: JSONValue] {
        var resolved: [String: JSONValue] = [:]
        for member in members {
            if let value = resource.properties[member] {
                resolved[member] = try resolve(value, at: "\(resource.logicalID).\(member)")
            }
        }
        return resolved
    }

    public func string(_ value: TemplateValue, at path: String) throws -> String {
        switch value {
        case .ref(let name):
            guard let resolved = refs[name] else {
                throw TemplateError("\(path): !Ref \(name) names nothing this tool provisions")
            }
            return resolved
        case .getAtt(let resource, let attribute):
            guard let resolved = attributes["\(resource).\(attribute)"] else {
                throw TemplateError(
                    "\(path): !GetAtt \(resource).\(attribute) is not known (the resource is missing or the attribute unsupported)"
                )
            }
            return resolved
        case .sub(let text, let variables):
            return try substitute(text, variables: variables, at: path)
        case .join(let delimiter, let items):
            return try items.enumerated().map { try string($1, at: "\(path)[\($0)]") }.joined(separator: delimiter)
        case .unsupported(let function, _):
            throw TemplateError("\(path): Fn::\(function) is not supported by the local pipeline")
        default:
            if let text = value.string { return text }
            throw TemplateError("\(path): expected a string, found \(value)")
        }
    }

    /// `${Name}`, `${Resource.Attribute}` and `${!Literal}`.
    func substitute(_ text: String, variables: [String: TemplateValue], at path: String) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw TemplateError("\(path): unterminated ${ in !Sub \"\(text)\"")
            }
            let name = String(rest[open.upperBound..<close])
            rest = rest[rest.index(after: close)...]
            if name.hasPrefix("!") {
                result += "${" + name.dropFirst() + "}"
            } else if let local = variables[name] {
                result += try string(local, at: path)
            } else if name.contains("."), !name.hasPrefix("AWS::") {
                let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                result += try string(.getAtt(resource: parts[0], attribute: parts[1]), at: path)
            } else {
                result += try string(.ref(name), at: path)
            }
        }
        return result + rest
    }
}
