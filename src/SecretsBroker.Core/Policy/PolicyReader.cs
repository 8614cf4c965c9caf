using System.Text.RegularExpressions;
using NodaTime;
using SecretsBroker.Core.Naming;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Walks a loaded YAML document and checks it against the policy format, collecting every error
/// rather than stopping at the first, so one run of <c>sbctl policy check</c> lists them all.
/// </summary>
internal sealed partial class PolicyReader(string file)
{
    private const int MaxClaimNameLength = 128;
    private const int MaxSettingValueLength = 1024;

    private static readonly string[] TopKeys = ["roles", "rules"];
    private static readonly string[] RoleRequired = ["provider", "secret", "default_ttl", "max_ttl"];
    private static readonly string[] RoleOptional = ["settings", "renewable", "break_glass"];
    private static readonly string[] BreakGlassOptional = ["allowed", "max_ttl", "approvals"];
    private static readonly string[] RuleRequired = ["name", "issuer", "claims", "roles", "steps", "purposes"];
    private static readonly string[] RuleOptional = ["max_ttl"];

    private readonly List<PolicyError> errors = [];

    /// <summary>Every error so far, in file order.</summary>
    public IReadOnlyList<PolicyError> Errors => errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    public void Error(Mark at, string message) =>
        errors.Add(new PolicyError(file, (int)Math.Min(at.Line, int.MaxValue), (int)Math.Min(at.Column, int.MaxValue), message));

    /// <summary>The document, or null when the file does not hold exactly one policy (errors say why).</summary>
    public PolicyDocument? Read(IList<YamlDocument> documents, string hash)
    {
        if (documents.Count == 0)
        {
            Error(new Mark(0, 1, 1), "the policy file is empty: it needs 'roles' and 'rules' (an empty 'rules:' allows nothing)");
            return null;
        }

        if (documents.Count > 1)
        {
            Error(documents[1].RootNode.Start, "a policy file holds one YAML document; this is a second one");
        }

        if (Mapping(documents[0].RootNode, "the policy", "a mapping with 'roles' and 'rules'") is not { } root)
        {
            return null;
        }

        var fields = Fields(root, "the policy", TopKeys, []);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var roles = fields.TryGetValue("roles", out var rolesNode) ? ReadRoles(rolesNode, declared) : [];
        var rules = fields.TryGetValue("rules", out var rulesNode) ? ReadRules(rulesNode, declared) : [];
        return new PolicyDocument(roles, rules, hash);
    }

    private Dictionary<string, RoleDefinition> ReadRoles(YamlNode node, HashSet<string> declared)
    {
        var roles = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);
        if (IsNull(node) || Mapping(node, "roles", "a mapping of role names to roles") is not { } map)
        {
            return roles;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            var nameOk = Name(key, name, "role name");
            var role = ReadRole(name, value);
            if (nameOk)
            {
                // Declared even when its body has errors, so rules naming it get no second, misleading error.
                declared.Add(name);
                if (role is not null)
                {
                    roles.Add(name, role);
                }
            }
        }

        return roles;
    }

    private RoleDefinition? ReadRole(string name, YamlNode node)
    {
        var where = $"role '{name}'";
        if (Mapping(node, where, "a mapping with provider, secret, default_ttl and max_ttl") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, where, RoleRequired, RoleOptional);
        var provider = Get(fields, "provider") is { } p && Text(p, "provider") is { } providerName && ProviderName(p, providerName) ? providerName : null;
        var secret = Get(fields, "secret") is { } s && Text(s, "secret") is { } secretName && Name(s, secretName, "secret name") ? secretName : null;
        var settings = Get(fields, "settings") is { } st ? ReadSettings(st) : new Dictionary<string, string>(StringComparer.Ordinal);
        var defaultTtl = Get(fields, "default_ttl") is { } d ? Ttl(d, "default_ttl") : null;
        var maxTtl = Get(fields, "max_ttl") is { } m ? Ttl(m, "max_ttl") : null;
        var renewable = Get(fields, "renewable") is { } r ? Bool(r, "renewable") : false;
        var breakGlassOk = true;
        var breakGlass = Get(fields, "break_glass") is { } bg ? ReadBreakGlass(bg, where, out breakGlassOk) : null;

        if (defaultTtl is { } dt && maxTtl is { } mt && dt > mt)
        {
            Error(fields["default_ttl"].Start, $"default_ttl {TtlText.Format(dt)} is longer than max_ttl {TtlText.Format(mt)}");
            return null;
        }

        return provider is null || secret is null || settings is null || defaultTtl is null || maxTtl is null || renewable is null || !breakGlassOk
            ? null
            : new RoleDefinition(name, provider, secret, settings, defaultTtl.Value, maxTtl.Value, renewable.Value, breakGlass);
    }

    /// <summary><c>break_glass: { allowed: true, max_ttl: 1h, approvals: 2 }</c>; every key optional, the cap one hour by default.</summary>
    private BreakGlassPolicy? ReadBreakGlass(YamlNode node, string where, out bool ok)
    {
        ok = false;
        if (Mapping(node, $"{where} break_glass", "a mapping with allowed, max_ttl and approvals") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, $"{where} break_glass", [], BreakGlassOptional);
        var allowed = Get(fields, "allowed") is { } a ? Bool(a, "break_glass allowed") : true;
        var maxTtl = Get(fields, "max_ttl") is { } m ? Ttl(m, "break_glass max_ttl") : BreakGlassPolicy.DefaultMaxTtl;
        int? approvals = 1;
        if (Get(fields, "approvals") is { } ap)
        {
            approvals = ap is YamlScalarNode { Style: ScalarStyle.Plain, Value: "1" or "2" } scalar ? int.Parse(scalar.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            if (approvals is null)
            {
                Error(ap.Start, "break_glass approvals must be 1 (the requester alone) or 2 (a second operator approves)");
            }
        }

        if (allowed is null || maxTtl is null || approvals is null)
        {
            return null;
        }

        ok = true;
        return new BreakGlassPolicy(allowed.Value, maxTtl.Value, approvals.Value);
    }

    private Dictionary<string, string>? ReadSettings(YamlNode node)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return settings;
        }

        if (Mapping(node, "settings", "a mapping of names to values") is not { } map)
        {
            return null;
        }

        var ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            var value = Text(valueNode, $"setting '{name}'");
            if (value is { Length: > MaxSettingValueLength })
            {
                Error(valueNode.Start, $"setting '{name}' is longer than {MaxSettingValueLength} characters");
                value = null;
            }

            if (Name(key, name, "setting name") && value is not null)
            {
                settings[name] = value;
            }
            else
            {
                ok = false;
            }
        }

        return ok ? settings : null;
    }

    private List<PolicyRule> ReadRules(YamlNode node, HashSet<string> declaredRoles)
    {
        var rules = new List<PolicyRule>();
        if (IsNull(node) || Sequence(node, "rules", "a list of rules") is not { } list)
        {
            return rules;
        }

        var names = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            if (ReadRule(item, declaredRoles, names) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    private PolicyRule? ReadRule(YamlNode node, HashSet<string> declaredRoles, Dictionary<string, long> names)
    {
        if (Mapping(node, "a rule", "a mapping with name, issuer, claims, roles, steps and purposes") is not { } map)
        {
            return null;
        }

        var name = map.Children.FirstOrDefault(entry => ((YamlScalarNode)entry.Key).Value == "name").Value is YamlScalarNode named ? named.Value : null;
        var fields = Fields(map, name is null ? $"the rule at line {map.Start.Line}" : $"rule '{name}'", RuleRequired, RuleOptional);
        name = Get(fields, "name") is { } n && Text(n, "rule name") is { } text && Name(n, text, "rule name") ? text : null;
        if (name is not null && !names.TryAdd(name, map.Start.Line))
        {
            Error(fields["name"].Start, $"duplicate rule name '{name}': it is already at line {names[name]}");
            name = null;
        }

        var issuer = Get(fields, "issuer") is { } i && Text(i, "issuer") is { } issuerName && Name(i, issuerName, "issuer name") ? issuerName : null;
        var claims = Get(fields, "claims") is { } c ? ReadClaims(c) : null;
        var roles = Get(fields, "roles") is { } r ? List(r, "roles", (item, value) => RoleReference(item, value, declaredRoles)) : null;
        var steps = Get(fields, "steps") is { } s ? List(s, "steps", (item, value) => Pattern(item, value, "step")) : null;
        var purposes = Get(fields, "purposes") is { } p ? List(p, "purposes", (item, value) => Pattern(item, value, "purpose")) : null;
        var maxTtl = Get(fields, "max_ttl") is { } m ? Ttl(m, "max_ttl") : null;
        var maxTtlBad = fields.ContainsKey("max_ttl") && maxTtl is null;

        return name is null || issuer is null || claims is null || roles is null || steps is null || purposes is null || maxTtlBad
            ? null
            : new PolicyRule(name, issuer, claims, roles, steps, purposes, maxTtl, (int)map.Start.Line);
    }

    private Dictionary<string, string>? ReadClaims(YamlNode node)
    {
        // A rule that matches every token of an issuer would admit anyone that issuer serves (every
        // repository on github.com, for one), so at least one claim must be named.
        if (Mapping(node, "claims", "a mapping of claim names to values, e.g. { repository: acme/app }") is not { } map)
        {
            return null;
        }

        if (map.Children.Count == 0)
        {
            Error(node.Start, "claims must name at least one claim: a rule matching every token of an issuer admits anyone it serves");
            return null;
        }

        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            var nameOk = ClaimName(key, name);
            var value = Text(valueNode, $"claim '{name}'", "(use \"*\" for any value)");
            if (value is not null && GlobPattern.Check(value) is { } problem)
            {
                Error(valueNode.Start, $"claim '{name}' {problem}");
                value = null;
            }

            if (nameOk && value is not null)
            {
                claims[name] = value;
            }
            else
            {
                ok = false;
            }
        }

        return ok ? claims : null;
    }

    private List<string>? List(YamlNode node, string what, Func<YamlNode, string, bool> check)
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

    private bool RoleReference(YamlNode node, string name, HashSet<string> declaredRoles)
    {
        if (!Name(node, name, "role name"))
        {
            return false;
        }

        if (!declaredRoles.Contains(name))
        {
            Error(node.Start, $"unknown role '{name}': it is not defined under roles");
            return false;
        }

        return true;
    }

    private bool Pattern(YamlNode node, string value, string what)
    {
        if (GlobPattern.Check(value) is { } problem)
        {
            Error(node.Start, $"{what} '{value}' {problem}");
            return false;
        }

        return true;
    }

    /// <summary>The mapping's entries by key; reports keys the format does not know and required keys that are missing.</summary>
    private Dictionary<string, YamlNode> Fields(YamlMappingNode map, string where, string[] required, string[] optional)
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

    private static YamlNode? Get(Dictionary<string, YamlNode> fields, string key) => fields.GetValueOrDefault(key);

    private YamlMappingNode? Mapping(YamlNode node, string what, string expected)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node.Start, $"{what} must be {expected}, not {Kind(node)}");
        return null;
    }

    private YamlSequenceNode? Sequence(YamlNode node, string what, string expected)
    {
        if (node is YamlSequenceNode list)
        {
            return list;
        }

        Error(node.Start, $"{what} must be {expected}, not {Kind(node)}");
        return null;
    }

    private string? Text(YamlNode node, string what, string? hint = null)
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

    private Duration? Ttl(YamlNode node, string what)
    {
        if (Text(node, what) is not { } text)
        {
            return null;
        }

        if (!TtlText.TryParse(text, out var ttl))
        {
            Error(node.Start, $"{what} '{text}' is not a duration: use a number with s, m, h or d, e.g. {TtlText.Examples}");
            return null;
        }

        if (ttl <= Duration.Zero)
        {
            Error(node.Start, $"{what} must be longer than 0s");
            return null;
        }

        if (ttl > TtlText.Max)
        {
            Error(node.Start, $"{what} {TtlText.Format(ttl)} is longer than a policy allows ({TtlText.Format(TtlText.Max)})");
            return null;
        }

        return ttl;
    }

    /// <summary>true or false, written plainly (not "yes", not quoted); null, reported, otherwise.</summary>
    private bool? Bool(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(node.Start, $"{what} must be true or false");
        return null;
    }

    private bool Name(YamlNode node, string name, string what)
    {
        if (ResourceName.Check(name, what) is { } problem)
        {
            Error(node.Start, $"{what} '{name}' is not allowed: {char.ToLowerInvariant(problem.Message[0])}{problem.Message[1..].TrimEnd('.')}");
            return false;
        }

        return true;
    }

    private bool ProviderName(YamlNode node, string name)
    {
        if (name.Length > ResourceName.MaxLength || !ProviderPattern().IsMatch(name))
        {
            Error(node.Start, $"provider name '{name}' is not allowed: it may hold only a-z, 0-9 and '-', must start with a letter or digit, and have at most {ResourceName.MaxLength} characters");
            return false;
        }

        return true;
    }

    private bool ClaimName(YamlNode node, string name)
    {
        if (name.Length > MaxClaimNameLength || !ClaimPattern().IsMatch(name))
        {
            Error(node.Start, $"claim name '{name}' is not allowed: it may hold only letters, digits, '_', '.', ':', '/' and '-', and have at most {MaxClaimNameLength} characters");
            return false;
        }

        return true;
    }

    /// <summary>An empty value, <c>~</c> or <c>null</c>, unquoted: YAML's null, which no policy field takes.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } scalar && scalar.Tag.IsEmpty
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "empty",
        _ => "a single value",
    };

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ProviderPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.:/-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClaimPattern();
}
