using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// The YAML side of reading a policy: nodes of the kind expected (mapping, list, single value,
/// plain true/false), a mapping's known keys, and every error collected with the file, line and
/// column it is at, in file order. It knows nothing of what a policy means.
/// </summary>
internal sealed class YamlNodeReader(string file)
{
    private readonly List<PolicyError> errors = [];

    /// <summary>Every error so far, in file order.</summary>
    public IReadOnlyList<PolicyError> Errors => errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    public void Error(Mark at, string message) =>
        errors.Add(new PolicyError(file, (int)Math.Min(at.Line, int.MaxValue), (int)Math.Min(at.Column, int.MaxValue), message));

    /// <summary>The mapping's entries by key; reports keys the format does not know and required keys that are missing.</summary>
    public Dictionary<string, YamlNode> Fields(YamlMappingNode map, string where, string[] required, string[] optional)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (required.Contains(key) || optional.Contains(key))
            {
                fields[key] = value;
            }
            else
            {
                Error(keyNode.Start, $"unknown key '{key}' in {where}; expected {string.Join(", ", required.Concat(optional))}");
            }
        }

        foreach (var key in required.Where(key => !fields.ContainsKey(key)))
        {
            Error(map.Start, $"{where} is missing '{key}'");
        }

        return fields;
    }

    public YamlMappingNode? Mapping(YamlNode node, string what, string expected)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node.Start, $"{what} must be {expected}, not {Kind(node)}");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string what, string expected)
    {
        if (node is YamlSequenceNode list)
        {
            return list;
        }

        Error(node.Start, $"{what} must be {expected}, not {Kind(node)}");
        return null;
    }

    /// <summary>A non-empty list of distinct single values, each passing <paramref name="check"/> (which reports its own error).</summary>
    public List<string>? List(YamlNode node, string what, Func<YamlNode, string, bool> check)
    {
        if (Sequence(node, what, $"a list, e.g. {what}: [a, b]") is not { } list)
        {
            return null;
        }

        if (list.Children.Count == 0)
        {
            Error(node.Start, $"{what} must list at least one entry");
            return null;
        }

        var items = new List<string>();
        var ok = true;
        foreach (var item in list.Children)
        {
            if (Text(item, $"an entry of {what}") is not { } value || !check(item, value))
            {
                ok = false;
            }
            else if (items.Contains(value, StringComparer.Ordinal))
            {
                Error(item.Start, $"'{value}' is listed twice in {what}");
                ok = false;
            }
            else
            {
                items.Add(value);
            }
        }

        return ok ? items : null;
    }

    public string? Text(YamlNode node, string what, string? hint = null)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node.Start, $"{what} must be a single value, not {Kind(node)}");
            return null;
        }

        if (IsNull(scalar))
        {
            Error(node.Start, hint is null ? $"{what} must have a value" : $"{what} must have a value {hint}");
            return null;
        }

        return scalar.Value ?? "";
    }

    /// <summary>true or false, written plainly (not "yes", not quoted); null, reported, otherwise.</summary>
    public bool? Bool(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(node.Start, $"{what} must be true or false");
        return null;
    }

    /// <summary>An empty value, <c>~</c> or <c>null</c>, unquoted: YAML's null, which no policy field takes.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } scalar && scalar.Tag.IsEmpty
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "empty",
        _ => "a single value",
    };
}
