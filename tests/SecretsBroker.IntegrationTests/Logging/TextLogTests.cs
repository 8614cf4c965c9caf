using System.Diagnostics;
using System.Net;
using SecretsBroker.IntegrationTests.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Logging;

/// <summary>The real broker process with the default <c>Logging:Format=text</c>: one line an entry, each line of a request naming the node and the request id.</summary>
public sealed class TextLogTests
{
    [Fact]
    public async Task Every_line_of_a_request_ends_with_the_node_and_the_callers_trace_id()
    {
        using var ci = CiTokenIssuer.GitHub();
        using var folder = new ProcessFolder(LeasingBroker.PolicyFor(ci.Repository, ci.Name, ci.ProjectClaim));
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(ci.Settings));
        await LoggedRequests.StoreSigningKeyAsync(broker);
        var trace = LoggedRequests.NewTraceId();
        using var runner = LoggedRequests.Traced(broker, trace, LoggedRequests.RunnerToken(ci, ci.Repository));

        var refusedTrace = LoggedRequests.NewTraceId();
        using var stranger = LoggedRequests.Traced(broker, refusedTrace, "sbt_" + Guid.NewGuid().ToString("N"));

        using var response = await LeasingBroker.LeaseAsync(runner, ci.RunId, "deploy");
        using var refused = await stranger.GetAsync(SecretsBroker.Contracts.Routes.Secrets);
        var nodeId = (await File.ReadAllTextAsync(Path.Combine(folder.DataDirectory, "node-id"))).Trim();
        var lines = await WaitForLineAsync(broker, l => l.Contains("[1010]", StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Unauthorized), (response.StatusCode, refused.StatusCode));
        var issuedLine = Assert.Single(lines, l => l.Contains("[2100]", StringComparison.Ordinal));
        var answeredLine = Assert.Single(lines, l => l.Contains("[1010]", StringComparison.Ordinal));
        Assert.Contains($"=> Node:{nodeId}, RequestId:{trace} =>", issuedLine, StringComparison.Ordinal);
        Assert.Contains($"=> Node:{nodeId}, RequestId:{refusedTrace} =>", answeredLine, StringComparison.Ordinal);
        Assert.Contains("401 unauthenticated", answeredLine, StringComparison.Ordinal);
        Assert.All(lines.Where(l => l.Contains(" => ", StringComparison.Ordinal)), l => Assert.Contains($"Node:{nodeId}", l, StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> WaitForLineAsync(BrokerProcess broker, Func<string, bool> wanted)
    {
        var deadline = Stopwatch.StartNew();
        while (!broker.Lines.Any(wanted) && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        return broker.Lines;
    }
}
