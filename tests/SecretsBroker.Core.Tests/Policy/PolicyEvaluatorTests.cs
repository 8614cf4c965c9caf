using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

public sealed class PolicyEvaluatorTests
{
    private static readonly PolicyDocument Policy = PolicyTexts.ParseValid("""
        roles:
          deploy-api: { provider: jwt, secret: signing-key, default_ttl: 10m, max_ttl: 1h }
          app-db: { provider: postgres, secret: db-admin, default_ttl: 15m, max_ttl: 2h }
        rules:
          - name: app-main-deploy
            issuer: github
            claims: { repository: acme/app, ref: refs/heads/main, environment: "prod*" }
            roles: [deploy-api, app-db]
            steps: [deploy, "migrate-*"]
            purposes: [release, "smoke-?"]
            max_ttl: 30m
          - name: app-any-branch
            issuer: github
            claims: { repository: acme/app }
            roles: [app-db]
            steps: ["*"]
            purposes: ["*"]
        """);

    private readonly PolicyEvaluator evaluator = new();

    [Fact]
    public void An_identity_matching_every_exact_claim_is_allowed_by_the_rule()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "deploy", "release"));

        Assert.True(decision.Allowed);
        Assert.Equal("app-main-deploy", decision.Rule);
        Assert.Equal("deploy-api", decision.Role!.Name);
    }

    [Theory]
    [InlineData("prod", true)]
    [InlineData("prod-eu", true)]
    [InlineData("staging", false)]
    [InlineData("Prod", false)]
    [InlineData("preprod", false)]
    public void A_glob_claim_matches_exactly_the_values_its_pattern_covers(string environment, bool allowed)
    {
        var decision = evaluator.Decide(Policy, MainBranch(environment), Ask("deploy-api", "deploy", "release"));

        Assert.Equal(allowed, decision.Allowed);
    }

    [Fact]
    public void An_exact_claim_must_match_the_whole_value()
    {
        var mainOnly = Policy with { Rules = [Policy.Rules[0]] };

        var decision = evaluator.Decide(mainOnly, Workload("github", ("repository", "acme/app"), ("ref", "refs/heads/main-old"), ("environment", "prod")),
            Ask("deploy-api", "deploy", "release"));

        Assert.False(decision.Allowed);
        Assert.Equal("no rule for issuer 'github' matched the token's claims (rule app-main-deploy: claim 'ref' does not match)", decision.Detail);
    }

    [Fact]
    public void A_claim_the_token_does_not_carry_never_matches_not_even_a_star()
    {
        var policy = PolicyTexts.ParseValid("""
            roles: { r: { provider: jwt, secret: k, default_ttl: 1m, max_ttl: 1m } }
            rules:
              - { name: any-env, issuer: github, claims: { repository: acme/app, environment: "*" }, roles: [r], steps: ["*"], purposes: ["*"] }
            """);

        var without = evaluator.Decide(policy, Workload("github", ("repository", "acme/app")), Ask("r", "s", "p"));
        var with = evaluator.Decide(policy, Workload("github", ("repository", "acme/app"), ("environment", "")), Ask("r", "s", "p"));

        Assert.False(without.Allowed);
        Assert.Equal("no rule for issuer 'github' matched the token's claims (rule any-env: claim 'environment' is missing)", without.Detail);
        Assert.True(with.Allowed);
    }

    [Fact]
    public void A_token_from_an_issuer_no_rule_names_is_denied()
    {
        var gitlab = Workload("gitlab", ("repository", "acme/app"), ("ref", "refs/heads/main"), ("environment", "prod"));

        var decision = evaluator.Decide(Policy, gitlab, Ask("deploy-api", "deploy", "release"));

        Assert.False(decision.Allowed);
        Assert.Equal("no rule for issuer 'gitlab'", decision.Detail);
    }

    [Fact]
    public void A_role_no_matching_rule_lists_is_denied()
    {
        var decision = evaluator.Decide(Policy, Workload("github", ("repository", "acme/app")), Ask("deploy-api", "deploy", "release"));

        Assert.False(decision.Allowed);
        Assert.Equal("rule app-any-branch matched but role 'deploy-api' is not allowed", decision.Detail);
    }

    [Fact]
    public void A_step_the_rule_does_not_allow_is_denied()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "build", "release"));

        Assert.False(decision.Allowed);
        Assert.Equal("rule app-main-deploy matched but step 'build' is not allowed", decision.Detail);
    }

    [Fact]
    public void A_purpose_the_rule_does_not_allow_is_denied()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "migrate-up", "smoke-12"));

        Assert.False(decision.Allowed);
        Assert.Equal("rule app-main-deploy matched but purpose 'smoke-12' is not allowed", decision.Detail);
    }

    [Fact]
    public void Step_and_purpose_globs_match_what_they_cover()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "migrate-up", "smoke-1"));

        Assert.True(decision.Allowed, decision.Detail);
    }

    [Fact]
    public void A_role_the_policy_does_not_define_is_denied_as_unknown()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("root-everything", "deploy", "release"));

        Assert.False(decision.Allowed);
        Assert.Equal("unknown role 'root-everything'", decision.Detail);
    }

    [Fact]
    public void Without_a_requested_ttl_the_role_default_is_granted()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "deploy", "release"));

        Assert.Equal(Duration.FromMinutes(10), decision.Ttl);
    }

    [Fact]
    public void A_requested_ttl_within_both_caps_is_granted_as_asked()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "deploy", "release", Duration.FromMinutes(20)));

        Assert.Equal(Duration.FromMinutes(20), decision.Ttl);
    }

    [Fact]
    public void A_requested_ttl_over_the_rule_cap_is_capped_not_denied()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "deploy", "release", Duration.FromMinutes(50)));

        Assert.True(decision.Allowed);
        Assert.Equal(Duration.FromMinutes(30), decision.Ttl);
        Assert.Equal("rule app-main-deploy allowed role deploy-api for 30m (asked 50m, capped by rule app-main-deploy)", decision.Detail);
    }

    [Fact]
    public void A_requested_ttl_over_the_role_maximum_is_capped_to_it()
    {
        var decision = evaluator.Decide(Policy, Workload("github", ("repository", "acme/app")), Ask("app-db", "test", "ci", Duration.FromHours(5)));

        Assert.True(decision.Allowed);
        Assert.Equal(Duration.FromHours(2), decision.Ttl);
        Assert.EndsWith("(asked 5h, capped by role app-db)", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_default_over_the_rule_cap_is_capped_too()
    {
        var policy = PolicyTexts.ParseValid("""
            roles: { r: { provider: jwt, secret: k, default_ttl: 1h, max_ttl: 2h } }
            rules:
              - { name: short, issuer: github, claims: { repository: acme/app }, roles: [r], steps: ["*"], purposes: ["*"], max_ttl: 5m }
            """);

        var decision = evaluator.Decide(policy, Workload("github", ("repository", "acme/app")), Ask("r", "s", "p"));

        Assert.Equal(Duration.FromMinutes(5), decision.Ttl);
    }

    [Fact]
    public void A_requested_ttl_that_is_not_positive_is_denied()
    {
        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", "deploy", "release", Duration.Zero));

        Assert.False(decision.Allowed);
        Assert.Equal("the requested TTL is not positive", decision.Detail);
    }

    [Fact]
    public void The_first_matching_rule_in_file_order_decides()
    {
        var asked = Ask("app-db", "deploy", "release", Duration.FromHours(1));

        var main = evaluator.Decide(Policy, MainBranch(), asked);
        var other = evaluator.Decide(Policy, MainBranch("staging"), asked);

        Assert.Equal(("app-main-deploy", Duration.FromMinutes(30)), (main.Rule, main.Ttl));
        Assert.Equal(("app-any-branch", Duration.FromHours(1)), (other.Rule, other.Ttl));
    }

    [Fact]
    public void The_empty_policy_denies_everything()
    {
        var decision = evaluator.Decide(PolicyDocument.Empty, MainBranch(), Ask("deploy-api", "deploy", "release"));

        Assert.False(decision.Allowed);
        Assert.Null(decision.Rule);
        Assert.Equal("the policy has no rules, so it allows nothing", decision.Detail);
    }

    [Fact]
    public void A_policy_with_roles_but_no_rules_denies_everything()
    {
        var policy = PolicyTexts.ParseValid("roles: { r: { provider: jwt, secret: k, default_ttl: 1m, max_ttl: 1m } }\nrules: []\n");

        Assert.False(evaluator.Decide(policy, MainBranch(), Ask("r", "deploy", "release")).Allowed);
    }

    [Fact]
    public void A_denial_detail_quotes_workload_values_short_and_without_control_characters()
    {
        var step = "deploy\nFAKE AUDIT LINE" + new string('x', 100);

        var decision = evaluator.Decide(Policy, MainBranch(), Ask("deploy-api", step, "release"));

        Assert.DoesNotContain('\n', decision.Detail);
        Assert.Contains("'deploy?FAKE AUDIT LINE", decision.Detail, StringComparison.Ordinal);
        Assert.True(decision.Detail.Length < 150, decision.Detail);
    }

    private static WorkloadIdentity MainBranch(string environment = "prod") =>
        Workload("github", ("repository", "acme/app"), ("ref", "refs/heads/main"), ("environment", environment));

    private static WorkloadIdentity Workload(string issuer, params (string Name, string Value)[] claims) =>
        new(issuer, "repo:acme/app", claims.ToDictionary(c => c.Name, c => c.Value), "run-1", null, Instant.FromUtc(2026, 11, 1, 10, 0));

    private static LeaseAsk Ask(string role, string step, string purpose, Duration? ttl = null) => new(role, step, purpose, ttl);
}
