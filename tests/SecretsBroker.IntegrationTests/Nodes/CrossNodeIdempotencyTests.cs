using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;
using Xunit.Abstractions;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// A CI client that retries against a load balancer can land its first try and its retry on two
/// nodes at the same moment: the key, not the node, decides, so the store keeps one lease and one
/// credential for it.
/// </summary>
public sealed class CrossNodeIdempotencyTests(ITestOutputHelper output)
{
    /// <summary>Races per role: each one a new key sent to both nodes at once, so that some really do overlap.</summary>
    private const int RacesPerRole = 8;

    [Fact]
    public async Task One_idempotency_key_sent_to_two_nodes_at_the_same_moment_yields_one_lease_and_one_credential()
    {
        var downstream = await DownstreamDatabase.CreateAsync();
        await using var nodes = await NodeCluster.StartAsync(2, downstream.PolicyFor);
        await downstream.StoreAdminSecretAsync(nodes);
        using var onA = nodes.Runner(0);
        using var onB = nodes.Runner(1);
        await WarmAsync(onA);
        await WarmAsync(onB);

        var races = new List<Race>();
        foreach (var role in new[] { DownstreamDatabase.Role, DownstreamDatabase.JwtRole })
        {
            for (var i = 0; i < RacesPerRole; i++)
            {
                var key = $"run-{nodes.Ci.RunId}-job-{i}-{role}";
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var a = SendWhenAsync(start.Task, onA, nodes.Ci.RunId, role, key);
                var b = SendWhenAsync(start.Task, onB, nodes.Ci.RunId, role, key);
                start.SetResult();
                races.Add(new Race(key, role, [await a, await b]));
            }
        }

        // Once both answers are in, the key names a finished lease, on either node.
        var settled = new Dictionary<string, Answer>();
        foreach (var race in races)
        {
            settled[race.Key] = await SendWhenAsync(Task.CompletedTask, onB, nodes.Ci.RunId, race.Role, race.Key);
        }

        var rows = await LeaseRow.AllAsync(nodes);
        var roles = await downstream.RolesAsync(nodes.DownstreamPrefix);
        var ddl = await downstream.DdlByRoleAsync(nodes.DownstreamPrefix);

        output.WriteLine($"losers answered: {string.Join(", ", races.SelectMany(r => r.Answers).Where(a => a.Status != HttpStatusCode.Created).GroupBy(a => $"{(int)a.Status} {a.Code ?? (a.Replayed ? "replayed" : "")}").Select(g => $"{g.Key} x{g.Count()}"))}");
        foreach (var race in races)
        {
            var final = settled[race.Key];
            Assert.True(final.Status == HttpStatusCode.OK && final.Replayed, $"{race.Key}: the settled retry answered {(int)final.Status} {final.Code}");
            Assert.Single(race.Answers, a => a.Status == HttpStatusCode.Created);
            foreach (var answer in race.Answers)
            {
                if (answer.Status is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    Assert.Equal((final.LeaseId, final.Credential), (answer.LeaseId, answer.Credential));
                }
                else
                {
                    // The documented answer while the first request with the key is still minting.
                    Assert.Equal((HttpStatusCode.Conflict, "request_in_progress"), (answer.Status, answer.Code));
                }
            }

            Assert.Equal([final.LeaseId!], rows.Where(r => r.IdempotencyKey == race.Key).Select(r => r.Id));
        }

        // One PostgreSQL role per key, made once: the node that lost the race created nothing downstream.
        var minted = rows.Where(r => r.Provider == "postgresql").Select(r => r.Handle).ToHashSet();
        Assert.Equal(RacesPerRole, minted.Count);
        Assert.Equal(minted.Order(), roles.Order());
        Assert.All(minted, role => Assert.Equal(1, ddl.GetValueOrDefault(role).Creates));
        Assert.Equal(2 * RacesPerRole, rows.Count);
    }

    /// <summary>Opens the connection and has the node check a token (fetching the issuer's keys) before any race.</summary>
    private static async Task WarmAsync(HttpClient runner)
    {
        using var response = await runner.GetAsync($"{Routes.Leases}/{new string('0', 32)}");
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Sends the same body with <paramref name="key"/> once <paramref name="start"/> completes.</summary>
    private static async Task<Answer> SendWhenAsync(Task start, HttpClient runner, string run, string role, string key)
    {
        await start;
        using var response = await LeasingBroker.LeaseAsync(runner, run, "deploy", "smoke", role, idempotencyKey: key);
        if (!response.IsSuccessStatusCode)
        {
            return new Answer(response.StatusCode, null, null, false, (await response.Content.ReadFromJsonAsync<ProblemResponse>())?.Code);
        }

        var issued = (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
        var credential = issued.Credential.TryGetValue("token", out var token) ? token : issued.Credential["password"];
        return new Answer(response.StatusCode, issued.Lease.Id, credential, issued.Replayed, null);
    }

    private sealed record Answer(HttpStatusCode Status, string? LeaseId, string? Credential, bool Replayed, string? Code);

    private sealed record Race(string Key, string Role, IReadOnlyList<Answer> Answers);
}
