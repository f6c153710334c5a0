import JSONCoding

// JSONValue and JSONPath live in the JSONCoding leaf now, beside the coder that builds and
// writes JSONValue straight from and to bytes; these keep their LambdaEvents names working.

/// Any JSON value: ``JSONCoding/JSONValue``.
public typealias JSONValue = JSONCoding.JSONValue

/// JSON paths in the `$.Records[0].body` notation: ``JSONCoding/JSONPath``.
public typealias JSONPath = JSONCoding.JSONPath
