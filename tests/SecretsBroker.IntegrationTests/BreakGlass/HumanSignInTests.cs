using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>
/// People sign in as operators with their identity provider's OIDC token (the <c>Operators</c>
/// section): groups become scopes, and the two-person and self-review rules compare people, not tokens.
/// </summary>
public sealed class HumanSignInTests : IDisposable
{
    private readonly CiTokenIssuer sso = new(CiPlatform.GitHubActions, "corp-sso", "https://sso.example.test", "secretsbroker-operators");

    public void Dispose() => sso.Dispose();

    private Dictionary<string, string?> SignIn() => new()
    {
        ["Operators:Issuers:0:Name"] = "corp-sso",
        ["Operators:Issuers:0:Issuer"] = sso.Issuer,
        ["Operators:Issuers:0:Audience"] = sso.Audience,
        ["Operators:Issuers:0:JwksFile"] = sso.JwksPath,
        ["Operators:Issuers:0:Scopes:operator:0"] = "oncall",
        ["Operators:Issuers:0:Scopes:security:0"] = "secops",
        ["Operators:Issuers:0:Scopes:admin:0"] = "platform-admins",
    };

    private HttpClient Person(LeasingBroker world, string sub, string[] groups, Duration? lifetime = null, string? email = null, bool? emailVerified = null)
    {
        var client = world.Broker.Client();
        var claims = new Dictionary<string, object?>
        {
            ["sub"] = sub,
            ["email"] = email ?? $"{sub}@example.test",
            ["groups"] = groups,
        };
        if (emailVerified is { } verified)
        {
            claims["email_verified"] = verified;
        }

        var token = sso.Mint(world.Broker.Clock.GetCurrentInstant(), claims, lifetime: lifetime);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_person_in_the_oncall_group_breaks_glass_and_the_trail_names_them()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var alice = Person(world, "alice", ["oncall", "staff"]);

        using var issued = await alice.BreakGlassAsync(BreakGlassWorld.Solo);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal("human:corp-sso:alice@example.test", (await issued.ReadAsync()).Request.Requester);
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;
        Assert.Contains(trail.Events, e => e.Action == "break_glass.request" && e.Actor == "human:corp-sso:alice@example.test" && e.Decision == "allowed");
    }

    [Fact]
    public async Task An_email_the_provider_has_not_verified_is_not_shown_as_the_requester_the_subject_is()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var mallory = Person(world, "mallory", ["oncall"], email: "ceo@example.test", emailVerified: false);
        using var alice = Person(world, "alice", ["oncall"], emailVerified: true);

        using var byMallory = await mallory.BreakGlassAsync(BreakGlassWorld.Solo);
        using var byAlice = await alice.BreakGlassAsync(BreakGlassWorld.Solo);

        Assert.Equal("human:corp-sso:mallory", (await byMallory.ReadAsync()).Request.Requester);
        Assert.Equal("human:corp-sso:alice@example.test", (await byAlice.ReadAsync()).Request.Requester);
    }

    [Fact]
    public async Task The_two_person_rule_needs_a_second_person_and_a_second_token_of_the_same_person_is_not_one()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var alice = Person(world, "alice", ["oncall"]);
        using var aliceAgain = Person(world, "alice", ["oncall"], Duration.FromMinutes(4));
        using var bob = Person(world, "bob", ["oncall"]);

        using var requested = await alice.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var id = (await requested.ReadAsync()).Request.Id;
        using var self = await aliceAgain.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var approved = await bob.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var selfReview = await aliceAgain.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new Contracts.BreakGlass.BreakGlassReviewBody("justified", null));

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("self_approval_refused", await self.CodeAsync());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("self_review_refused", await selfReview.CodeAsync());
    }

    [Fact]
    public async Task A_broker_token_a_person_creates_speaks_for_them_so_it_cannot_approve_or_review_their_own_request()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var alice = Person(world, "alice", ["oncall", "platform-admins"]);
        using var bob = Person(world, "bob", ["oncall"]);
        using var made = await alice.PostAsJsonAsync(Routes.Tokens, new Contracts.Tokens.CreateTokenRequest("alice-laptop", ["admin"], null));
        made.EnsureSuccessStatusCode();
        using var aliceToken = world.Broker.Client((await made.Content.ReadFromJsonAsync<Contracts.Tokens.CreatedToken>())!.Token);
        using var madeByToken = await aliceToken.PostAsJsonAsync(Routes.Tokens, new Contracts.Tokens.CreateTokenRequest("alice-spare", ["operator"], null));
        madeByToken.EnsureSuccessStatusCode();
        using var spareToken = world.Broker.Client((await madeByToken.Content.ReadFromJsonAsync<Contracts.Tokens.CreatedToken>())!.Token);

        using var requested = await alice.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var id = (await requested.ReadAsync()).Request.Id;
        using var byOwnToken = await aliceToken.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var bySpareToken = await spareToken.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var byBob = await bob.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var collectedWithToken = await aliceToken.PostAsync($"{Routes.BreakGlass}/{id}/credential", null);
        using var reviewWithToken = await aliceToken.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new Contracts.BreakGlass.BreakGlassReviewBody("justified", null));

        Assert.Equal(HttpStatusCode.Forbidden, byOwnToken.StatusCode);
        Assert.Equal("self_approval_refused", await byOwnToken.CodeAsync());
        Assert.Equal("self_approval_refused", await bySpareToken.CodeAsync());
        Assert.Equal(HttpStatusCode.OK, byBob.StatusCode);
        Assert.Equal(HttpStatusCode.OK, collectedWithToken.StatusCode);
        Assert.Equal("self_review_refused", await reviewWithToken.CodeAsync());
    }

    [Fact]
    public async Task Where_people_sign_in_a_broker_token_no_person_made_cannot_take_part_in_break_glass()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var alice = Person(world, "alice", ["oncall"]);
        using var unowned = await world.OperatorAsync("shared-ops");

        using var request = await unowned.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        using var asked = await alice.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var id = (await asked.ReadAsync()).Request.Id;
        using var approve = await unowned.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);

        Assert.Equal(HttpStatusCode.Forbidden, request.StatusCode);
        Assert.Equal("person_required", await request.CodeAsync());
        Assert.Equal(HttpStatusCode.Forbidden, approve.StatusCode);
        Assert.Equal("person_required", await approve.CodeAsync());
    }

    [Fact]
    public async Task Groups_grant_scopes_and_nothing_more()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var carol = Person(world, "carol", ["developers"]);
        using var sec = Person(world, "sec", ["secops"]);

        using var noScope = await carol.BreakGlassAsync(BreakGlassWorld.Solo);
        using var inventory = await sec.GetAsync(Routes.Identities);
        using var notOperator = await sec.BreakGlassAsync(BreakGlassWorld.Solo);
        using var notAdmin = await sec.GetAsync(Routes.Secrets);

        Assert.Equal((HttpStatusCode.Forbidden, "insufficient_scope"), (noScope.StatusCode, await noScope.CodeAsync()));
        Assert.Equal(HttpStatusCode.OK, inventory.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, "insufficient_scope"), (notOperator.StatusCode, await notOperator.CodeAsync()));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }

    [Fact]
    public async Task An_expired_foreign_or_malformed_token_is_unauthenticated_and_a_person_is_never_a_workload()
    {
        await using var world = await BreakGlassWorld.StartAsync(SignIn());
        using var alice = Person(world, "alice", ["oncall"], Duration.FromMinutes(1));
        using var stranger = new CiTokenIssuer(CiPlatform.GitHubActions, "elsewhere", "https://elsewhere.example.test", sso.Audience);
        using var foreign = world.Broker.Client();
        foreign.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stranger.Mint(world.Broker.Clock.GetCurrentInstant()));

        using var asWorkload = await LeasingBroker.LeaseAsync(alice, world.Ci.RunId, "deploy");
        world.Broker.Clock.Advance(Duration.FromMinutes(5));
        using var expired = await alice.BreakGlassAsync(BreakGlassWorld.Solo);
        using var unknown = await foreign.BreakGlassAsync(BreakGlassWorld.Solo);
        using var garbled = world.Broker.Client();
        garbled.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOi.not-a-token.x");
        using var malformed = await garbled.BreakGlassAsync(BreakGlassWorld.Solo);
        using var malformedLease = await LeasingBroker.LeaseAsync(garbled, world.Ci.RunId, "deploy");

        Assert.Equal((HttpStatusCode.Forbidden, "insufficient_scope"), (asWorkload.StatusCode, await asWorkload.CodeAsync()));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var problem = (await expired.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("unauthenticated", problem.Code);
        Assert.StartsWith("expired:", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (malformed.StatusCode, malformedLease.StatusCode));
    }

    [Fact]
    public async Task A_provider_that_is_also_a_workload_issuer_or_maps_an_unknown_scope_refuses_to_start()
    {
        var ci = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(ci.Settings)
        {
            ["Operators:Issuers:0:Name"] = "corp-sso",
            ["Operators:Issuers:0:Issuer"] = ci.Issuer,
            ["Operators:Issuers:0:Audience"] = sso.Audience,
            ["Operators:Issuers:0:JwksFile"] = sso.JwksPath,
            ["Operators:Issuers:0:Scopes:root:0"] = "admins",
        };
        var folder = Path.Combine(Path.GetTempPath(), "sb-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestBroker.StartAsync(new() { DataDirectory = folder, Settings = settings }));

            Assert.Contains("Operators:Issuers:0:Issuer is also a workload issuer", failure.Message, StringComparison.Ordinal);
            Assert.Contains("Operators:Issuers:0:Scopes:root is not a scope", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            ci.Dispose();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
