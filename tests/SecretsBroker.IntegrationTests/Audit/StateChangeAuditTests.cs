using System.Net.Http.Json;
using NodaTime;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary>Every change of state leaves exactly one allowed event saying who did what to which thing, and when.</summary>
public sealed class StateChangeAuditTests
{
    [Fact]
    public async Task Every_state_change_writes_exactly_one_allowed_event_with_its_actor_action_and_target()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var actor = await AuditTrail.ActorOfAsync(admin);
        var name = BrokerFakers.Name("app-db");
        string? tokenId = null;

        var created = await AuditTrail.OnlyEventOfAsync(broker, () => PutAsync(admin, name));
        broker.Clock.Advance(Duration.FromMinutes(1));
        var replaced = await AuditTrail.OnlyEventOfAsync(broker, () => PutAsync(admin, name));
        broker.Clock.Advance(Duration.FromMinutes(1));
        var deleted = await AuditTrail.OnlyEventOfAsync(broker, async () => (await admin.DeleteAsync($"/v1/secrets/{name}")).EnsureSuccessStatusCode());
        broker.Clock.Advance(Duration.FromMinutes(1));
        var tokenCreated = await AuditTrail.OnlyEventOfAsync(broker, async () =>
        {
            using var response = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("auditor", ["security"], null));
            tokenId = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreatedToken>())!.Id;
        });
        broker.Clock.Advance(Duration.FromMinutes(1));
        var tokenRevoked = await AuditTrail.OnlyEventOfAsync(broker, async () => (await admin.DeleteAsync($"/v1/tokens/{tokenId}")).EnsureSuccessStatusCode());

        var start = broker.Clock.GetCurrentInstant() - Duration.FromMinutes(4);
        AssertAllowed(created, actor, AuditActions.SecretPut, $"secret:{name}", "version 1", start);
        AssertAllowed(replaced, actor, AuditActions.SecretPut, $"secret:{name}", "version 2", start + Duration.FromMinutes(1));
        AssertAllowed(deleted, actor, AuditActions.SecretDelete, $"secret:{name}", null, start + Duration.FromMinutes(2));
        AssertAllowed(tokenCreated, actor, AuditActions.TokenCreate, $"token:{tokenId}", "scopes security", start + Duration.FromMinutes(3));
        AssertAllowed(tokenRevoked, actor, AuditActions.TokenRevoke, $"token:{tokenId}", null, start + Duration.FromMinutes(4));
    }

    [Fact]
    public async Task The_first_start_records_the_initial_admin_token_as_made_by_the_system()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var adminTokenId = (await admin.GetFromJsonAsync<TokenList>("/v1/tokens"))!.Tokens.Single().Id;

        var trail = await AuditTrail.ReadAllAsync(admin);

        var first = Assert.Single(trail);
        Assert.Equal(("system", AuditActions.TokenCreate, $"token:{adminTokenId}", AuditDecision.Allowed), (first.Actor, first.Action, first.Target, first.Decision));
    }

    [Fact]
    public async Task Changes_made_at_the_same_time_each_get_their_own_place_in_an_intact_chain()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var names = Enumerable.Range(0, 20).Select(_ => BrokerFakers.Name("app-db")).ToList();

        await Task.WhenAll(names.Select(name => PutAsync(admin, name)));
        var trail = await AuditTrail.ReadAllAsync(admin);

        Assert.Equal(Enumerable.Range(1, 21).Select(n => (long)n), trail.Select(e => e.Seq));
        Assert.Equal(names.Select(n => $"secret:{n}").Order(StringComparer.Ordinal), trail.Skip(1).Select(e => e.Target).Order(StringComparer.Ordinal));
        Assert.Equal(new Contracts.Audit.AuditVerification(true, 21, null, null), await AuditTrail.VerifyAsync(admin));
    }

    private static async Task PutAsync(HttpClient admin, string name)
    {
        using var response = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue())));
        response.EnsureSuccessStatusCode();
    }

    private static void AssertAllowed(AuditEvent e, string actor, string action, string target, string? reason, Instant at)
    {
        Assert.Equal((actor, action, target, AuditDecision.Allowed, reason), (e.Actor, e.Action, e.Target, e.Decision, e.Reason));
        Assert.Equal(at, e.At);
        Assert.False(string.IsNullOrEmpty(e.RequestId), "the event does not name its request");
        Assert.Equal("127.0.0.1", e.RemoteAddress);
    }
}
