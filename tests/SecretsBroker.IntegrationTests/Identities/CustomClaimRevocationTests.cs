using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Identities;

/// <summary>A URL-style custom claim (with '/' and ':') that a policy matches on is one the security team can revoke and block by.</summary>
public sealed class CustomClaimRevocationTests
{
    private const string TeamClaim = "https://acme.example/claims:team";

    /// <summary>The usual policy, its rule matching on the custom claim instead of the repository.</summary>
    private static string PolicyOnTeam(string repository) =>
        LeasingBroker.PolicyFor(repository).Replace($"claims: {{ repository: \"{repository}\" }}", $"claims: {{ \"{TeamClaim}\": \"*\" }}", StringComparison.Ordinal);

    /// <summary>A runner of the issuer's usual subject whose token carries the custom team claim.</summary>
    private static HttpClient RunnerOfTeam(LeasingBroker world, string team, string job)
    {
        var client = world.Broker.Client();
        var token = world.Ci.Mint(world.Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["run_id"] = world.Ci.RunId,
            ["check_run_id"] = job,
            ["repository"] = world.Ci.Repository,
            [TeamClaim] = team,
        });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<IssuedLeaseResponse> LeaseAsync(HttpClient runner, LeasingBroker world)
    {
        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", purpose: Guid.NewGuid().ToString("N"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
    }

    private static async Task<string> StateOfAsync(LeasingBroker world, string leaseId)
    {
        using var admin = world.Broker.Admin();
        return (await admin.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{leaseId}"))!.State;
    }

    [Fact]
    public async Task Revoking_by_a_selector_whose_claim_name_holds_a_slash_and_a_colon_ends_and_blocks_only_that_claims_leases()
    {
        await using var world = await LeasingBroker.StartAsync(policyFor: PolicyOnTeam);
        using var platform = RunnerOfTeam(world, "platform", "201");
        using var web = RunnerOfTeam(world, "web", "202");
        var platforms = await LeaseAsync(platform, world);
        var webs = await LeaseAsync(web, world);
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("security-team", "security"));

        using var response = await security.PostAsJsonAsync(
            $"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", null, $"{TeamClaim}=platform", "team token leaked", Block: true));
        var revocation = (await response.Content.ReadFromJsonAsync<IdentityRevocationResult>())!;
        using var platformAgain = await LeasingBroker.LeaseAsync(platform, world.Ci.RunId, "deploy", purpose: "again");
        using var webAgain = await LeasingBroker.LeaseAsync(web, world.Ci.RunId, "deploy", purpose: "again");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, revocation.Revoked);
        Assert.True(revocation.Blocked);
        // Ended at once; the background sweep may have finished its downstream clean-up already.
        Assert.Contains(await StateOfAsync(world, platforms.Lease.Id), new[] { "revoking", "revoked" });
        Assert.Equal("active", await StateOfAsync(world, webs.Lease.Id));
        Assert.Equal(HttpStatusCode.Forbidden, platformAgain.StatusCode);
        Assert.Equal("identity_blocked", (await platformAgain.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Created, webAgain.StatusCode);
    }
}
