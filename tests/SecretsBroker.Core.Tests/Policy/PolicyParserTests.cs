using System.Security.Cryptography;
using System.Text;
using NodaTime;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

public sealed class PolicyParserTests
{
    [Fact]
    public void A_full_policy_is_read_into_roles_and_rules_with_every_field()
    {
        var policy = PolicyTexts.ParseValid(PolicyTexts.Valid);

        var role = Assert.Single(policy.Roles).Value;
        Assert.Equal(
            new RoleDefinition("deploy-api", "jwt", "deploy-signing-key", role.Settings, Duration.FromMinutes(10), Duration.FromHours(1), true),
            role);
        Assert.Equal(new Dictionary<string, string> { ["audience"] = "deploy-api" }, role.Settings);
        var rule = Assert.Single(policy.Rules);
        Assert.Equal(("app-main-deploy", "github", 10), (rule.Name, rule.Issuer, rule.Line));
        Assert.Equal(
            new Dictionary<string, string> { ["repository"] = "acme/app", ["ref"] = "refs/heads/main", ["environment"] = "prod*" },
            rule.Claims);
        Assert.Equal(["deploy-api"], rule.Roles);
        Assert.Equal(["deploy", "migrate-*"], rule.Steps);
        Assert.Equal(["*"], rule.Purposes);
        Assert.Equal(Duration.FromMinutes(30), rule.MaxTtl);
    }

    [Fact]
    public void Optional_fields_take_their_defaults()
    {
        var policy = PolicyTexts.ParseValid("""
            roles:
              app-db:
                provider: postgres
                secret: app-db-admin
                default_ttl: 15m
                max_ttl: 1h30m
            rules:
              - name: tests
                issuer: github
                claims: { repository: acme/app }
                roles: [app-db]
                steps: [test]
                purposes: [integration]
            """);

        var role = policy.Roles["app-db"];
        Assert.False(role.Renewable);
        Assert.Empty(role.Settings);
        Assert.Equal(Duration.FromMinutes(90), role.MaxTtl);
        Assert.Null(Assert.Single(policy.Rules).MaxTtl);
    }

    [Fact]
    public void The_hash_is_the_lowercase_hex_sha256_of_the_file_bytes()
    {
        var bytes = Encoding.UTF8.GetBytes(PolicyTexts.Valid);

        var result = PolicyParser.Parse("p.yaml", bytes);

        var expected = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        Assert.Equal(expected, result.Hash);
        Assert.Equal(expected, result.Document!.Hash);
    }

    [Theory]
    [InlineData("roles: {}\nrules: []\n")]
    [InlineData("roles:\nrules:\n")]
    [InlineData("roles:\n  r:\n    provider: jwt\n    secret: k\n    default_ttl: 1m\n    max_ttl: 1m\nrules: []\n")]
    public void Empty_rules_are_valid_and_the_policy_has_no_rule(string text)
    {
        var policy = PolicyTexts.ParseValid(text);

        Assert.Empty(policy.Rules);
    }

    [Theory]
    [InlineData(3, "    provider: jwt\n    colour: blue", 4, 5, "unknown key 'colour' in role 'deploy-api'")]
    [InlineData(16, "    max_ttl: 30m\nversion: 2", 17, 1, "unknown key 'version' in the policy")]
    [InlineData(11, "    issuer: github\n    isuer: gitlab", 12, 5, "unknown key 'isuer' in rule 'app-main-deploy'")]
    [InlineData(3, null, 3, 5, "role 'deploy-api' is missing 'provider'")]
    [InlineData(14, null, 10, 5, "rule 'app-main-deploy' is missing 'steps'")]
    [InlineData(14, "    steps: deploy", 14, 12, "steps must be a list")]
    [InlineData(12, "    claims: [repository]", 12, 13, "claims must be a mapping")]
    [InlineData(14, "    steps: [{a: b}]", 14, 13, "an entry of steps must be a single value, not a mapping")]
    [InlineData(5, "    settings: audience", 5, 15, "settings must be a mapping")]
    [InlineData(5, "    settings: { audience: [a] }", 5, 27, "setting 'audience' must be a single value, not a list")]
    [InlineData(6, "    default_ttl: 10 minutes", 6, 18, "default_ttl '10 minutes' is not a duration")]
    [InlineData(6, "    default_ttl: 30m1h", 6, 18, "default_ttl '30m1h' is not a duration")]
    [InlineData(7, "    max_ttl: 0s", 7, 14, "max_ttl must be longer than 0s")]
    [InlineData(7, "    max_ttl: 400d", 7, 14, "max_ttl 400d is longer than a policy allows (366d)")]
    [InlineData(16, "    max_ttl: soon", 16, 14, "max_ttl 'soon' is not a duration")]
    [InlineData(6, "    default_ttl: 2h", 6, 18, "default_ttl 2h is longer than max_ttl 1h")]
    [InlineData(8, "    renewable: yes", 8, 16, "renewable must be true or false")]
    [InlineData(3, "    provider: jwt\n    provider: jwt", 4, 5, "duplicate key 'provider': it is already at line 3")]
    [InlineData(8, "    renewable: true\n  deploy-api:\n    provider: jwt", 9, 3, "duplicate key 'deploy-api': it is already at line 2")]
    [InlineData(13, "    roles: [deploy-api, deploy-web]", 13, 25, "unknown role 'deploy-web': it is not defined under roles")]
    [InlineData(14, "    steps: [deploy, deploy]", 14, 21, "'deploy' is listed twice in steps")]
    [InlineData(15, "    purposes: []", 15, 15, "purposes must list at least one entry")]
    [InlineData(12, "    claims: {}", 12, 13, "claims must name at least one claim")]
    [InlineData(12, "    claims: { repository: ~ }", 12, 27, "claim 'repository' must have a value (use \"*\" for any value)")]
    [InlineData(13, "    roles: [Deploy-API]", 13, 13, "role name 'Deploy-API' is not allowed")]
    [InlineData(3, "    provider: JWT_v2", 3, 15, "provider name 'JWT_v2' is not allowed")]
    [InlineData(4, "    secret: ../etc/passwd", 4, 13, "secret name '../etc/passwd' is not allowed")]
    [InlineData(11, "    issuer: GitHub", 11, 13, "issuer name 'GitHub' is not allowed")]
    [InlineData(5, "    settings: { Audience: x }", 5, 17, "setting name 'Audience' is not allowed")]
    [InlineData(12, "    claims: { \"repo sitory\": acme/app }", 12, 15, "claim name 'repo sitory' is not allowed")]
    [InlineData(14, "    steps: [\"deploy-[a-z]\"]", 14, 13, "step 'deploy-[a-z]' uses '[', which is not supported: the only wildcards are * and ?")]
    [InlineData(12, "    claims: { ref: \"refs/{main,dev}\" }", 12, 20, "claim 'ref' uses '{', which is not supported")]
    [InlineData(15, "    purposes: [*any]", 15, 16, "anchors and aliases (& and *) are not supported")]
    [InlineData(3, "    provider: &p jwt", 3, 15, "anchors and aliases (& and *) are not supported")]
    [InlineData(5, "    settings: { a: { b: { c: { d: x } } } }", 5, 30, "nested deeper than 6 levels")]
    public void Each_problem_is_reported_once_at_its_line_and_column(int line, string? replacement, int errorLine, int errorColumn, string message)
    {
        var result = PolicyTexts.Parse(PolicyTexts.WithLine(line, replacement));

        Assert.False(result.IsValid);
        Assert.Null(result.Document);
        var error = Assert.Single(result.Errors);
        Assert.Equal((PolicyTexts.FileName, errorLine, errorColumn), (error.File, error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "    provider: \"jwt\\n\"", "provider name")]
    [InlineData(3, "    provider: \"jwt\\r\\n\"", "provider name")]
    [InlineData(3, "    provider: \"jwt\\0\"", "provider name")]
    [InlineData(12, "    claims: { \"repository\\n\": acme/app }", "claim name")]
    [InlineData(12, "    claims: { \"repository\\u2028\": acme/app }", "claim name")]
    [InlineData(12, "    claims: { \"repository\\x85\": acme/app }", "claim name")]
    public void A_name_ending_in_a_line_break_or_control_character_is_not_allowed(int line, string replacement, string what)
    {
        var result = PolicyTexts.Parse(PolicyTexts.WithLine(line, replacement));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith(what, error.Message, StringComparison.Ordinal);
        Assert.Contains("is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_in_the_file_is_reported_in_file_order_not_just_the_first()
    {
        var text = PolicyTexts.Valid
            .Replace("provider: jwt", "provider: JWT", StringComparison.Ordinal)
            .Replace("default_ttl: 10m", "default_ttl: ten", StringComparison.Ordinal)
            .Replace("roles: [deploy-api]", "roles: [deploy-web]", StringComparison.Ordinal)
            .Replace("purposes: [\"*\"]", "purposes: []", StringComparison.Ordinal);

        var result = PolicyTexts.Parse(text);

        Assert.Equal([(3, 15), (6, 18), (13, 13), (15, 15)], result.Errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Rules_are_checked_against_roles_even_when_rules_come_first()
    {
        var text = """
            rules:
              - name: r
                issuer: github
                claims: { repository: acme/app }
                roles: [app-db, missing]
                steps: [test]
                purposes: [test]
            roles:
              app-db: { provider: postgres, secret: db, default_ttl: 1m, max_ttl: 1m }
            """;

        var error = Assert.Single(PolicyTexts.Parse(text).Errors);

        Assert.Equal((5, 21), (error.Line, error.Column));
        Assert.StartsWith("unknown role 'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_with_a_bad_name_is_reported_with_the_errors_in_its_body_and_rules_naming_it_too()
    {
        var text = PolicyTexts.Valid
            .Replace("  deploy-api:", "  Deploy-API:", StringComparison.Ordinal)
            .Replace("default_ttl: 10m", "default_ttl: ten", StringComparison.Ordinal);

        var result = PolicyTexts.Parse(text);

        Assert.Equal([(2, 3), (6, 18), (13, 13)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.StartsWith("role name 'Deploy-API' is not allowed", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("default_ttl 'ten' is not a duration", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("unknown role 'deploy-api'", result.Errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_with_errors_is_still_declared_so_rules_naming_it_get_no_second_error()
    {
        var error = Assert.Single(PolicyTexts.Parse(PolicyTexts.WithLine(4, "    secret: Deploy Key")).Errors);

        Assert.Equal((4, 13), (error.Line, error.Column));
    }

    [Fact]
    public void Duplicate_rule_names_are_reported_at_the_second()
    {
        var text = PolicyTexts.Valid + """
              - name: app-main-deploy
                issuer: github
                claims: { repository: acme/other }
                roles: [deploy-api]
                steps: [deploy]
                purposes: [release]

            """;

        var error = Assert.Single(PolicyTexts.Parse(text).Errors);

        Assert.Equal((17, 11), (error.Line, error.Column));
        Assert.Equal("duplicate rule name 'app-main-deploy': it is already at line 10", error.Message);
    }

    [Theory]
    [InlineData(14, "    steps: [deploy", 14)]
    [InlineData(3, "    provider: jwt: v2", 3)]
    [InlineData(16, "   max_ttl: 30m", 16)]
    [InlineData(15, "    purposes: [*]", 15)]
    public void A_yaml_syntax_error_is_reported_at_or_just_after_its_line(int line, string replacement, int errorLine)
    {
        var result = PolicyTexts.Parse(PolicyTexts.WithLine(line, replacement));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("invalid YAML", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Line, errorLine, errorLine + 1);
    }

    [Fact]
    public void An_unquoted_star_gets_a_hint_to_quote_it()
    {
        var error = Assert.Single(PolicyTexts.Parse(PolicyTexts.WithLine(15, "    purposes: [*]")).Errors);

        Assert.EndsWith("(quote a value that starts with '*', e.g. \"*\")", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    public void An_empty_file_is_refused(string text)
    {
        var error = Assert.Single(PolicyTexts.Parse(text).Errors);

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.StartsWith("the policy file is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_mapping_is_refused()
    {
        var error = Assert.Single(PolicyTexts.Parse("- roles\n- rules\n").Errors);

        Assert.Equal("the policy must be a mapping with 'roles' and 'rules', not a list", error.Message);
    }

    [Fact]
    public void Both_top_level_keys_are_required()
    {
        var result = PolicyTexts.Parse("roles: {}\n");

        Assert.Equal("the policy is missing 'rules'", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void A_second_yaml_document_is_refused()
    {
        var error = Assert.Single(PolicyTexts.Parse("roles: {}\nrules: []\n---\nroles: {}\nrules: []\n").Errors);

        Assert.Equal((4, 1), (error.Line, error.Column));
        Assert.StartsWith("a policy file holds one YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_parsing()
    {
        var big = new byte[PolicyParser.MaxFileBytes + 1];
        Array.Fill(big, (byte)'#');

        var error = Assert.Single(PolicyParser.Parse("big.yaml", big).Errors);

        Assert.Equal(("big.yaml", 1, 1), (error.File, error.Line, error.Column));
        Assert.Equal("the file is larger than 1024 KiB, the most a policy may be", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_refused()
    {
        var error = Assert.Single(PolicyParser.Parse("p.yaml", [0x72, 0x6f, 0xff, 0xfe, 0x0a]).Errors);

        Assert.Equal("the file is not UTF-8 text", error.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(PolicyTexts.Valid)).ToArray();

        Assert.True(PolicyParser.Parse("p.yaml", bytes).IsValid);
    }

    [Fact]
    public void Errors_print_as_file_line_column_message()
    {
        var error = Assert.Single(PolicyTexts.Parse(PolicyTexts.WithLine(8, "    renewable: yes")).Errors);

        Assert.Equal("policy.yaml:8:16: renewable must be true or false", error.ToString());
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-policy-" + Guid.NewGuid().ToString("N") + ".yaml");

        var result = PolicyParser.ParseFile(path);

        var error = Assert.Single(result.Errors);
        Assert.Null(result.Hash);
        Assert.Equal($"{path}:1:1: cannot read the policy file: there is no such file", error.ToString());
    }

    [Fact]
    public void The_example_policy_shipped_in_deploy_is_valid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Policy", "policy.example.yaml");

        var result = PolicyParser.ParseFile(path);

        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(["app-db", "deploy-api"], result.Document!.Roles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["app-main-deploy", "app-tests", "gitlab-app-deploy"], result.Document.Rules.Select(r => r.Name));
    }
}
