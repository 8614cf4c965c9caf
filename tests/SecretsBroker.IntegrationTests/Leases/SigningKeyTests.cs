using System.Net;
using System.Text.Json;
using SecretsBroker.Contracts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>Signing keys are root secrets: rotating one keeps the old public key published while its tokens live.</summary>
public sealed class SigningKeyTests
{
    private static async Task<string[]> PublishedKidsAsync(LeasingBroker world)
    {
        using var anonymous = world.Broker.Client();
        using var jwks = JsonDocument.Parse(await anonymous.GetStringAsync(Routes.Jwks));
        return jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToArray();
    }

    private static string KidOf(string jwt) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(jwt).Kid;

    [Fact]
    public async Task After_rotation_new_leases_use_the_new_key_and_old_tokens_still_verify_and_stay_active()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var before = await world.IssueAsync(runner, "deploy");

        await world.PutSigningKeyAsync();
        world.Broker.Clock.Advance(NodaTime.Duration.FromSeconds(6)); // past the signing-key cache
        var after = await world.IssueAsync(runner, "migrate-db");
        var kids = await PublishedKidsAsync(world);

        Assert.NotEqual(KidOf(before.Credential["token"]), KidOf(after.Credential["token"]));
        Assert.Contains(KidOf(before.Credential["token"]), kids);
        Assert.Contains(KidOf(after.Credential["token"]), kids);
        Assert.True((await world.IntrospectAsync(before.Credential["token"])).Active);
        Assert.True((await world.IntrospectAsync(after.Credential["token"])).Active);
    }

    [Fact]
    public async Task A_replaced_key_leaves_the_jwks_once_its_retention_has_passed()
    {
        await using var world = await LeasingBroker.StartAsync();
        var first = (await PublishedKidsAsync(world)).Single();

        await world.PutSigningKeyAsync();
        world.Broker.Clock.Advance(NodaTime.Duration.FromHours(24) + NodaTime.Duration.FromSeconds(1));
        var kids = await PublishedKidsAsync(world);

        Assert.DoesNotContain(first, kids);
        Assert.Single(kids);
    }

    [Fact]
    public async Task A_token_not_signed_by_the_broker_is_never_active()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");
        var parts = issued.Credential["token"].Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA";

        Assert.False((await world.IntrospectAsync(forged)).Active);
        Assert.False((await world.IntrospectAsync("not-a-jwt")).Active);
        Assert.False((await world.IntrospectAsync(world.TokenFor())).Active);
    }

    [Fact]
    public async Task The_jobs_dashboard_is_for_admin_tokens_only()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var admin = world.Broker.Admin();
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));
        using var anonymous = world.Broker.Client();

        using var forAdmin = await admin.GetAsync("/hangfire");
        using var forSecurity = await security.GetAsync("/hangfire");
        using var forNobody = await anonymous.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, forAdmin.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, forSecurity.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, forNobody.StatusCode);
    }
}
