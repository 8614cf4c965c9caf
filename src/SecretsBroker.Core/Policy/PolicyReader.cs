using NodaTime;
using SecretsBroker.Core.Naming;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Walks a loaded YAML document and checks it against the policy format, collecting every error
/// rather than stopping at the first, so one run of <c>sbctl policy check</c> lists them all.
/// </summary>
internal sealed class PolicyReader(YamlNodeReader yaml)
{
    private const int MaxSettingValueLength = 1024;

    private static readonly string[] TopKeys = ["roles", "rules"];
    private static readonly string[] RoleRequired = ["provider", "secret", "default_ttl", "max_ttl"];
    private static readonly string[] RoleOptional = ["settings", "renewable", "break_glass"];
    private static readonly string[] BreakGlassOptional = ["allowed", "max_ttl", "approvals"];
    private static readonly string[] RuleRequired = ["name", "issuer", "claims", "roles", "steps", "purposes"];
    private static readonly string[] RuleOptional = ["max_ttl"];

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

        if (yaml.Mapping(documents[0].RootNode, "the policy", "a mapping with 'roles' and 'rules'") is not { } root)
        {
            return null;
        }

        var fields = yaml.Fields(root, "the policy", TopKeys, []);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var roles = fields.TryGetValue("roles", out var rolesNode) ? ReadRoles(rolesNode, declared) : [];
        var rules = fields.TryGetValue("rules", out var rulesNode) ? ReadRules(rulesNode, declared) : [];
        return new PolicyDocument(roles, rules, hash);
    }

    private Dictionary<string, RoleDefinition> ReadRoles(YamlNode node, HashSet<string> declared)
    {
        var roles = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);
        if (YamlNodeReader.IsNull(node) || yaml.Mapping(node, "roles", "a mapping of role names to roles") is not { } map)
        {
            return roles;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            var nameOk = IsResourceName(key, name, "role name");
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
        if (yaml.Mapping(node, where, "a mapping with provider, secret, default_ttl and max_ttl") is not { } map)
        {
            return null;
        }

        var fields = yaml.Fields(map, where, RoleRequired, RoleOptional);
        var provider = Get(fields, "provider") is { } p && yaml.Text(p, "provider") is { } providerName && IsProviderName(p, providerName) ? providerName : null;
        var secret = Get(fields, "secret") is { } s && yaml.Text(s, "secret") is { } secretName && IsResourceName(s, secretName, "secret name") ? secretName : null;
        var settings = Get(fields, "settings") is { } st ? ReadSettings(st) : new Dictionary<string, string>(StringComparer.Ordinal);
        var defaultTtl = Get(fields, "default_ttl") is { } d ? Ttl(d, "default_ttl") : null;
        var maxTtl = Get(fields, "max_ttl") is { } m ? Ttl(m, "max_ttl") : null;
        var renewable = Get(fields, "renewable") is { } r ? yaml.Bool(r, "renewable") : false;
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
        if (yaml.Mapping(node, $"{where} break_glass", "a mapping with allowed, max_ttl and approvals") is not { } map)
        {
            return null;
        }

        var fields = yaml.Fields(map, $"{where} break_glass", [], BreakGlassOptional);
        var allowed = Get(fields, "allowed") is { } a ? yaml.Bool(a, "break_glass allowed") : true;
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
        if (YamlNodeReader.IsNull(node))
        {
            return settings;
        }

        if (yaml.Mapping(node, "settings", "a mapping of names to values") is not { } map)
        {
            return null;
        }

        var ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            var value = yaml.Text(valueNode, $"setting '{name}'");
            if (value is { Length: > MaxSettingValueLength })
            {
                Error(valueNode.Start, $"setting '{name}' is longer than {MaxSettingValueLength} characters");
                value = null;
            }

            if (IsResourceName(key, name, "setting name") && value is not null)
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
        if (YamlNodeReader.IsNull(node) || yaml.Sequence(node, "rules", "a list of rules") is not { } list)
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
        if (yaml.Mapping(node, "a rule", "a mapping with name, issuer, claims, roles, steps and purposes") is not { } map)
        {
            return null;
        }

        var name = map.Children.FirstOrDefault(entry => ((YamlScalarNode)entry.Key).Value == "name").Value is YamlScalarNode named ? named.Value : null;
        var fields = yaml.Fields(map, name is null ? $"the rule at line {map.Start.Line}" : $"rule '{name}'", RuleRequired, RuleOptional);
        name = Get(fields, "name") is { } n && yaml.Text(n, "rule name") is { } text && IsResourceName(n, text, "rule name") ? text : null;
        if (name is not null && !names.TryAdd(name, map.Start.Line))
        {
            Error(fields["name"].Start, $"duplicate rule name '{name}': it is already at line {names[name]}");
            name = null;
        }

        var issuer = Get(fields, "issuer") is { } i && yaml.Text(i, "issuer") is { } issuerName && IsResourceName(i, issuerName, "issuer name") ? issuerName : null;
        var claims = Get(fields, "claims") is { } c ? ReadClaims(c) : null;
        var roles = Get(fields, "roles") is { } r ? yaml.List(r, "roles", (item, value) => RoleReference(item, value, declaredRoles)) : null;
        var steps = Get(fields, "steps") is { } s ? yaml.List(s, "steps", (item, value) => Pattern(item, value, "step")) : null;
        var purposes = Get(fields, "purposes") is { } p ? yaml.List(p, "purposes", (item, value) => Pattern(item, value, "purpose")) : null;
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
        if (yaml.Mapping(node, "claims", "a mapping of claim names to values, e.g. { repository: acme/app }") is not { } map)
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
            var nameOk = IsClaimName(key, name);
            var value = yaml.Text(valueNode, $"claim '{name}'", "(use \"*\" for any value)");
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

    private bool RoleReference(YamlNode node, string name, HashSet<string> declaredRoles)
    {
        if (!IsResourceName(node, name, "role name"))
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

    private Duration? Ttl(YamlNode node, string what)
    {
        if (yaml.Text(node, what) is not { } text)
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

    private bool IsResourceName(YamlNode node, string name, string what)
    {
        if (ResourceName.Check(name, what) is { } problem)
        {
            Error(node.Start, $"{what} '{name}' is not allowed: {char.ToLowerInvariant(problem.Message[0])}{problem.Message[1..].TrimEnd('.')}");
            return false;
        }

        return true;
    }

    private bool IsProviderName(YamlNode node, string name)
    {
        if (!ProviderName.IsValid(name))
        {
            Error(node.Start, $"provider name '{name}' is not allowed: it {ProviderName.Rule}");
            return false;
        }

        return true;
    }

    private bool IsClaimName(YamlNode node, string name)
    {
        if (!ClaimName.IsValid(name))
        {
            Error(node.Start, $"claim name '{name}' is not allowed: it {ClaimName.Rule}");
            return false;
        }

        return true;
    }

    private static YamlNode? Get(Dictionary<string, YamlNode> fields, string key) => fields.GetValueOrDefault(key);

    private void Error(Mark at, string message) => yaml.Error(at, message);
}
