using System.Text.Json;
using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary><c>sbctl break-glass request|approve|collect|review|list</c> against a real broker.</summary>
public sealed class BreakGlassCommandTests
{
    [Fact]
    public async Task Sbctl_requests_approves_collects_lists_and_reviews_a_two_person_break_glass()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        var oncall = await world.Broker.CreateTokenAsync("oncall", "operator");
        var second = await world.Broker.CreateTokenAsync("second", "operator");
        var reviewer = await world.Broker.CreateTokenAsync("reviewer", "operator");

        var requested = await world.Broker.SbctlAsync(oncall, "break-glass", "request", "--role", BreakGlassWorld.TwoPerson,
            "--justification", BreakGlassWorld.Justification, "--incident", "INC-99", "--json");
        Assert.Equal(0, requested.ExitCode);
        var id = JsonDocument.Parse(requested.Stdout).RootElement.GetProperty("request").GetProperty("id").GetString()!;

        var self = await world.Broker.SbctlAsync(oncall, "break-glass", "approve", id);
        var approved = await world.Broker.SbctlAsync(second, "break-glass", "approve", id);
        var collected = await world.Broker.SbctlAsync(oncall, "break-glass", "collect", id, "--format", "json");
        var collectedAgain = await world.Broker.SbctlAsync(oncall, "break-glass", "collect", id);
        var unreviewed = await world.Broker.SbctlAsync(second, "break-glass", "list", "--unreviewed");
        var ownReview = await world.Broker.SbctlAsync(oncall, "break-glass", "review", id, "--outcome", "justified");
        var approverReview = await world.Broker.SbctlAsync(second, "break-glass", "review", id, "--outcome", "justified");
        var reviewed = await world.Broker.SbctlAsync(reviewer, "break-glass", "review", id, "--outcome", "justified", "--notes", "ok");
        var after = await world.Broker.SbctlAsync(second, "break-glass", "list", "--unreviewed");

        Assert.NotEqual(0, self.ExitCode);
        Assert.Contains("self_approval_refused", self.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, approved.ExitCode);
        Assert.Contains($"sbctl break-glass collect {id}", approved.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, collected.ExitCode);
        Assert.Contains("\"token\"", collected.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, collectedAgain.ExitCode);
        Assert.Contains("already_collected", collectedAgain.Stderr, StringComparison.Ordinal);
        Assert.Contains(unreviewed.StdoutLines(), line => line.Contains(id, StringComparison.Ordinal) && line.Contains("INC-99", StringComparison.Ordinal));
        Assert.Contains("self_review_refused", ownReview.Stderr, StringComparison.Ordinal);
        Assert.Contains("self_review_refused", approverReview.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, reviewed.ExitCode);
        Assert.DoesNotContain(after.StdoutLines(), line => line.Contains(id, StringComparison.Ordinal));
    }
}
