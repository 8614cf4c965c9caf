using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.IntegrationTests.Hooks;
using SecretsBroker.IntegrationTests.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Logging;

/// <summary>
/// The real broker process with <c>Logging:Format=json</c>: what it prints to the console is one JSON
/// object a line, each naming its event, the node and (inside a request) the request id, which is the
/// caller's W3C trace id when it sent one; and no line of a refused request holds the token, the secret
/// values or the webhook secret that request carried.
/// </summary>
public sealed partial class JsonLogTests
{
    private static readonly Dictionary<string, string?> Json = new() { ["Logging:Format"] = "json" };

    [Fact]
    public async Task Every_line_is_one_json_object_with_its_event_the_node_and_the_callers_trace_id_as_request_id()
    {
        using var ci = CiTokenIssuer.GitHub().WithWebhook();
        using var folder = new ProcessFolder(LeasingBroker.PolicyFor(ci.Repository, ci.Name, ci.ProjectClaim));
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(ci.Settings, Json));
        await LoggedRequests.StoreSigningKeyAsync(broker);

        var issueTrace = LoggedRequests.NewTraceId();
        using var runner = LoggedRequests.Traced(broker, issueTrace, LoggedRequests.RunnerToken(ci, ci.Repository));
        using var issuedResponse = await LeasingBroker.LeaseAsync(runner, ci.RunId, "deploy");
        Assert.Equal(HttpStatusCode.Created, issuedResponse.StatusCode);
        var issued = (await issuedResponse.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;

        var lines = await WaitForLinesAsync(broker, issueTrace, eventId: 2100);
        var nodeId = (await File.ReadAllTextAsync(Path.Combine(folder.DataDirectory, "node-id"))).Trim();

        Assert.Equal(issueTrace, LoggedRequests.Header(issuedResponse, "X-Request-Id"));
        Assert.StartsWith($"00-{issueTrace}-", LoggedRequests.Header(issuedResponse, "traceparent"), StringComparison.Ordinal);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.Equal(JsonValueKind.Number, line.GetProperty("EventId").ValueKind);
            Assert.Equal(nodeId, ScopeValue(line, "Node"));
        }

        var issueLine = Assert.Single(lines, l => l.GetProperty("EventId").GetInt32() == 2100);
        Assert.Equal(issueTrace, ScopeValue(issueLine, "RequestId"));
        Assert.Equal(issued.Lease.Id, issueLine.GetProperty("State").GetProperty("LeaseId").GetString());
        Assert.Contains(lines, l => l.GetProperty("EventId").GetInt32() == 1001);
    }

    [Fact]
    public async Task The_lines_of_refused_requests_name_the_request_but_never_the_token_the_values_or_the_webhook_secret()
    {
        using var ci = CiTokenIssuer.GitHub().WithWebhook();
        using var folder = new ProcessFolder(LeasingBroker.PolicyFor(ci.Repository, ci.Name, ci.ProjectClaim));
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(ci.Settings, Json));
        var (adminToken, pem) = await LoggedRequests.StoreSigningKeyAsync(broker);
        using var admin = broker.Client(adminToken);
        var storedValue = BrokerFakers.SecretValue();
        var refusedValue = BrokerFakers.SecretValue();
        var strangerToken = "sbt_" + Guid.NewGuid().ToString("N");
        var name = BrokerFakers.Name("app-db");
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/{name}", new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = storedValue }))).EnsureSuccessStatusCode();
        var runnerToken = LoggedRequests.RunnerToken(ci, ci.Repository);
        var forkToken = LoggedRequests.RunnerToken(ci, "evil/fork");
        var otherRunToken = LoggedRequests.RunnerToken(ci, ci.Repository, run: "77");
        using var issuer = broker.Client(runnerToken);
        var lease = (await (await LeasingBroker.LeaseAsync(issuer, ci.RunId, "deploy")).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;

        var refusals = new List<(string Trace, HttpStatusCode Status, string Code)>();
        async Task RefusedAsync(Func<HttpClient, Task<HttpResponseMessage>> send, string? token, HttpStatusCode status, string code)
        {
            var trace = LoggedRequests.NewTraceId();
            using var client = LoggedRequests.Traced(broker, trace, token);
            using var response = await send(client);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
            Assert.Equal(trace, LoggedRequests.Header(response, "X-Request-Id"));
            var problem = JsonSerializer.Deserialize<ProblemResponse>(body, JsonSerializerOptions.Web)!;
            Assert.Equal((code, trace), (problem.Code, problem.TraceId));

            refusals.Add((trace, status, code));
        }

        // A token nobody issued; a body cut short in a value; a lease the policy denies; another run's
        // revocation of the lease; a webhook delivery signed with the wrong key.
        await RefusedAsync(c => c.GetAsync(Routes.Secrets), strangerToken, HttpStatusCode.Unauthorized, "unauthenticated");
        await RefusedAsync(c => c.PutAsync($"{Routes.Secrets}/{name}-bad", new StringContent($"{{\"type\": \"generic\", \"fields\": {{\"key\": \"{refusedValue}\"", Encoding.UTF8, "application/json")), adminToken, HttpStatusCode.BadRequest, "malformed_json");
        await RefusedAsync(c => LeasingBroker.LeaseAsync(c, ci.RunId, "deploy"), forkToken, HttpStatusCode.Forbidden, "policy_denied");
        await RefusedAsync(c => c.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}"), otherRunToken, HttpStatusCode.NotFound, "lease_not_found");
        var delivery = Encoding.UTF8.GetBytes(HookPayloads.WorkflowRun(ci.Repository, ci.RunId));
        await RefusedAsync(c => new HookSender(c, ci.WebhookSecret!).GitHubRawAsync("workflow_run", HookSender.NewDelivery(), delivery, HookSender.Signature(delivery, "not-" + ci.WebhookSecret)), null, HttpStatusCode.Unauthorized, "hook_unauthenticated");

        var lines = await WaitForLinesAsync(broker, refusals[^1].Trace, eventId: 1010);
        var text = string.Join('\n', broker.Lines.Where(l => !IsBanner(l)));

        foreach (var (trace, status, code) in refusals)
        {
            var answered = lines.Where(l => l.GetProperty("EventId").GetInt32() == 1010 && ScopeValue(l, "RequestId") == trace).ToList();
            Assert.True(answered.Count == 1, $"{code}: {answered.Count} lines of its answer in\n{string.Join('\n', lines.Where(l => l.GetProperty("EventId").GetInt32() == 1010))}");
            Assert.Equal(((int)status, code), (answered[0].GetProperty("State").GetProperty("Status").GetInt32(), answered[0].GetProperty("State").GetProperty("Code").GetString()));
        }

        var refusedRevocation = Assert.Single(lines, l => l.GetProperty("EventId").GetInt32() == 2103);
        Assert.Equal(lease.Lease.Id, refusedRevocation.GetProperty("State").GetProperty("LeaseId").GetString());
        Assert.Equal(refusals[3].Trace, ScopeValue(refusedRevocation, "RequestId"));
        var secrets = new[]
        {
            adminToken, runnerToken, forkToken, otherRunToken, strangerToken, lease.Credential["token"], ci.WebhookSecret!,
            storedValue, storedValue[^32..], refusedValue, refusedValue[^32..], pem.Split('\n')[1],
        };
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_traceparent_that_does_not_parse_is_never_echoed_and_the_request_gets_an_id_of_its_own()
    {
        using var folder = new ProcessFolder();
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(Json));
        var hostile = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"},{\"Node\":\"forged";
        using var client = broker.Client("sbt_" + Guid.NewGuid().ToString("N"));
        Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("traceparent", hostile));

        using var response = await client.GetAsync(Routes.Secrets);
        var requestId = LoggedRequests.Header(response, "X-Request-Id");
        var lines = await WaitForLinesAsync(broker, requestId, eventId: 1010);

        Assert.Matches("^[0-9a-f]{32}$", requestId);
        Assert.NotEqual("0af7651916cd43dd8448eb211c80319c", requestId);
        Assert.StartsWith($"00-{requestId}-", LoggedRequests.Header(response, "traceparent"), StringComparison.Ordinal);
        var answered = Assert.Single(lines, l => ScopeValue(l, "RequestId") == requestId && l.GetProperty("EventId").GetInt32() == 1010);
        Assert.Single(answered.GetProperty("Scopes").EnumerateArray(), s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RequestId", out _));
        Assert.DoesNotContain("forged", string.Join('\n', broker.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain("0af7651916cd43dd8448eb211c80319c", string.Join('\n', broker.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workload_token_on_a_lease_endpoint_is_checked_by_the_workload_handler_alone_and_on_an_operator_endpoint_by_the_broker_token_handler()
    {
        const string BrokerTokenHandler = "SecretsBroker.Server.Auth.BrokerTokenHandler";
        using var ci = CiTokenIssuer.GitHub().WithWebhook();
        using var folder = new ProcessFolder(LeasingBroker.PolicyFor(ci.Repository, ci.Name, ci.ProjectClaim));
        var authLogged = new Dictionary<string, string?>(Json) { ["Logging:LogLevel:SecretsBroker.Server.Auth"] = "Debug" };
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(ci.Settings, authLogged));
        await LoggedRequests.StoreSigningKeyAsync(broker);
        var token = LoggedRequests.RunnerToken(ci, ci.Repository);

        var leaseTrace = LoggedRequests.NewTraceId();
        using var runner = LoggedRequests.Traced(broker, leaseTrace, token);
        using var issued = await LeasingBroker.LeaseAsync(runner, ci.RunId, "deploy");
        var operatorTrace = LoggedRequests.NewTraceId();
        using var misplaced = LoggedRequests.Traced(broker, operatorTrace, token);
        using var refused = await misplaced.GetAsync(Routes.Secrets);
        var lines = await WaitForLinesAsync(broker, operatorTrace, eventId: 1010);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(lines, l => ScopeValue(l, "RequestId") == leaseTrace && l.GetProperty("EventId").GetInt32() == 2100);
        Assert.DoesNotContain(lines, l => ScopeValue(l, "RequestId") == leaseTrace && l.GetProperty("Category").GetString() == BrokerTokenHandler);
        Assert.Contains(lines, l => ScopeValue(l, "RequestId") == operatorTrace && l.GetProperty("Category").GetString() == BrokerTokenHandler);
    }

    [Fact]
    public async Task A_log_format_other_than_text_or_json_stops_the_broker_naming_the_key()
    {
        using var folder = new ProcessFolder();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(new Dictionary<string, string?> { ["Logging:Format"] = "xml" })));

        Assert.Contains("Logging:Format", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The value of <paramref name="key"/> in the line's scopes, or null.</summary>
    private static string? ScopeValue(JsonElement line, string key) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(key, out _)).Select(s => s.GetProperty(key).GetString()).FirstOrDefault()
            : null;

    /// <summary>
    /// Every log line parsed, once one of them names <paramref name="requestId"/> and, when given, is
    /// event <paramref name="eventId"/> (the console is written asynchronously). The lines the broker prints itself rather than through logging (the
    /// initial admin token, the listening address) are left out; any other line that is not one JSON
    /// object fails the test.
    /// </summary>
    private static async Task<List<JsonElement>> WaitForLinesAsync(BrokerProcess broker, string requestId, int? eventId = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var parsed = broker.Lines.Where(l => !IsBanner(l)).Select(Parse).ToList();
            if (parsed.Any(l => ScopeValue(l, "RequestId") == requestId && (eventId is null || l.GetProperty("EventId").GetInt32() == eventId)) || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                return parsed;
            }

            await Task.Delay(100);
        }
    }

    private static bool IsBanner(string line) =>
        line.Length == 0 ||
        line == "Initial admin token (shown once, keep it safe):" ||
        AdminTokenLine().IsMatch(line) ||
        line.StartsWith("SecretsBroker listening on ", StringComparison.Ordinal);

    [GeneratedRegex(@"\A {4}sbt_[A-Za-z0-9_-]+\z")]
    private static partial Regex AdminTokenLine();

    private static JsonElement Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"a log line is not one JSON object ({e.Message}): {line}");
        }
    }
}
