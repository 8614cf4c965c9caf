using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>
/// A signing key that cannot sign is refused when it is stored; one that a role names but that cannot
/// be used (another type, deleted) fails the lease with provider_failed, never a 500.
/// </summary>
public sealed class UnusableSigningKeyTests
{
    private const string OtherRole = "other-api";
    private const string OtherSecret = "other-key";

    /// <summary>The usual policy, plus a JWT role minting from <see cref="OtherSecret"/>.</summary>
    private static string PolicyWithOtherRole(string repository) => LeasingBroker.PolicyFor(repository)
        .Replace("rules:", $$"""
              {{OtherRole}}:
                provider: jwt
                secret: {{OtherSecret}}
                settings: { audience: {{LeasingBroker.Audience}} }
                default_ttl: 5m
                max_ttl: 5m
            rules:
            """, StringComparison.Ordinal)
        .Replace($"roles: [{LeasingBroker.Role}, {LeasingBroker.OneShotRole}]", $"roles: [{LeasingBroker.Role}, {LeasingBroker.OneShotRole}, {OtherRole}]", StringComparison.Ordinal);

    private static string PublicKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>A 256-bit EC key on a curve ES256 does not use.</summary>
    private static string BrainpoolPrivateKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static string RsaPrivateKeyPem()
    {
        using var key = RSA.Create(2048);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static async Task<string[]> PublishedKidsAsync(TestBroker broker)
    {
        using var anonymous = broker.Client();
        using var jwks = JsonDocument.Parse(await anonymous.GetStringAsync(Routes.Jwks));
        return jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToArray();
    }

    private static async Task PutAsync(TestBroker broker, string type, Dictionary<string, string> fields)
    {
        using var admin = broker.Admin();
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{OtherSecret}", new PutSecretRequest(type, fields));
        await put.ShouldBeAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("public key")]
    [InlineData("brainpool key")]
    public async Task A_key_that_cannot_sign_es256_is_refused_as_a_signing_key_and_never_published(string content)
    {
        await using var world = await LeasingBroker.StartAsync();
        var published = await PublishedKidsAsync(world.Broker);
        using var admin = world.Broker.Admin();
        var pem = content == "public key" ? PublicKeyPem() : BrainpoolPrivateKeyPem();

        using var response = await admin.PutAsJsonAsync(
            $"{Routes.Secrets}/{LeasingBroker.SigningKey}",
            new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = pem }));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_field");
        Assert.Equal(published, await PublishedKidsAsync(world.Broker));
        using var runner = world.Runner();
        Assert.NotEmpty((await world.IssueAsync(runner, "deploy")).Credential["token"]);
    }

    [Theory]
    [InlineData("public key")]
    [InlineData("rsa key")]
    [InlineData("not a pem")]
    public async Task A_role_minting_from_a_generic_secret_that_holds_no_usable_key_fails_with_provider_failed(string content)
    {
        await using var world = await LeasingBroker.StartAsync(policyFor: PolicyWithOtherRole);
        var value = content switch
        {
            "public key" => PublicKeyPem(),
            "rsa key" => RsaPrivateKeyPem(),
            _ => "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
        };
        await PutAsync(world.Broker, "generic", new Dictionary<string, string> { ["private_key"] = value });
        using var runner = world.Runner();

        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", role: OtherRole);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway, "provider_failed");
    }

    [Fact]
    public async Task A_role_minting_from_a_secret_of_another_type_fails_with_provider_failed()
    {
        await using var world = await LeasingBroker.StartAsync(policyFor: PolicyWithOtherRole);
        await PutAsync(world.Broker, "postgresql-admin", BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue()));
        using var runner = world.Runner();

        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", role: OtherRole);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway, "provider_failed");
    }

    [Fact]
    public async Task A_signing_key_deleted_while_a_role_uses_it_fails_new_leases_and_renewals_with_provider_failed()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        using var admin = world.Broker.Admin();
        using var deleted = await admin.DeleteAsync($"{Routes.Secrets}/{LeasingBroker.SigningKey}");
        await deleted.ShouldBeAsync(HttpStatusCode.NoContent);
        world.Broker.Clock.Advance(NodaTime.Duration.FromSeconds(6)); // past the signing-key cache

        using var issued = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "migrate-db");
        using var renewed = await runner.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new Contracts.Leases.RenewLeaseRequest(null));

        await issued.ShouldBeProblemAsync(HttpStatusCode.BadGateway, "provider_failed");
        await renewed.ShouldBeProblemAsync(HttpStatusCode.BadGateway, "provider_failed");
    }
}
