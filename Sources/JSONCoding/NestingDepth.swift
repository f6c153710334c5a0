/// How deeply arrays and objects may nest in a document the kit decodes.
///
/// The decoder indexes a document iteratively, so depth costs it no stack; the limit is for
/// what comes after: a `Decodable` type's own recursion and a `JSONValue` tree's. 500 is also
/// one below Foundation's limit, so a document the kit accepts never reaches the path on which
/// Foundation's `JSONDecoder` traps (a handler may still decode with Foundation).
public enum JSONNesting {
    public static let maximumDepth = 500
}
