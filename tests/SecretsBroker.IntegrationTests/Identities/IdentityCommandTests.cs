using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Identities;

/// <summary><c>sbctl identity …</c> and <c>sbctl leases list</c> against a real broker.</summary>
public sealed class IdentityCommandTests
{
    [Fact]
    public async Task Sbctl_blocks_an_identity_follows_the_clean_up_lists_it_as_blocked_and_unblocks_it()
    {
        await using var world = await LeasingBroker.StartAsync();
        var security = await world.Broker.CreateTokenAsync("security-team", "security");
        var subject = $"repo:{world.Ci.Repository}:environment:production";

        var blocked = await world.Broker.SbctlAsync(security, "identity", "block", "--issuer", "github", "--subject", subject, "--reason", "stolen");
        using var runner = world.Runner();
        using var refused = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");
        var listed = await world.Broker.SbctlAsync(security, "identity", "list");
        var unblocked = await world.Broker.SbctlAsync(security, "identity", "unblock", "--issuer", "github", "--subject", subject);
        using var allowed = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");

        Assert.Equal(0, blocked.ExitCode);
        Assert.Contains("identity blocked", blocked.Stdout, StringComparison.Ordinal);
        Assert.Contains("0/0 cleaned up downstream", blocked.Stdout, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, unblocked.ExitCode);
        Assert.Equal(System.Net.HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(0, listed.ExitCode);
    }

    [Fact]
    public async Task Sbctl_revokes_without_waiting_and_lists_the_leases_it_left_revoking()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        using var issued = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");
        var lease = (await issued.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!.Lease;
        var security = await world.Broker.CreateTokenAsync("security-team", "security");

        var revoked = await world.Broker.SbctlAsync(security, "identity", "revoke", "--issuer", "github", "--selector", $"repository={world.Ci.Repository}", "--reason", "leak", "--no-wait");
        var listed = await world.Broker.SbctlAsync(security, "leases", "list", "--state", "revoking");

        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("1 live lease revoked at the broker", revoked.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cleaned up downstream", revoked.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(lease.Id, listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("revoking", listed.Stdout, StringComparison.Ordinal);
    }
}
