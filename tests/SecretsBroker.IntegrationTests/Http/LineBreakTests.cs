using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>
/// A value that ends in a line break or holds a control character is refused wherever a value is
/// checked: "p\n" must not pass for "p", nor slip a second line into the audit trail. Each test sends
/// every ending in turn to one broker.
/// </summary>
public sealed class LineBreakTests
{
    /// <summary>Line ends and control characters by name, so failures stay printable.</summary>
    private static readonly Dictionary<string, string> Ends = new(StringComparer.Ordinal)
    {
        ["LF"] = "\n",
        ["CRLF"] = "\r\n",
        ["NUL"] = "\0",
        ["LINE SEPARATOR"] = "\u2028",
        ["PARAGRAPH SEPARATOR"] = "\u2029",
        ["NEXT LINE"] = "\u0085",
    };

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("role")]
    [InlineData("run")]
    [InlineData("step")]
    [InlineData("purpose")]
    public async Task A_lease_field_ending_in_a_line_break_or_control_character_is_refused_with_invalid_name(string field)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        await EveryEndIsRefusedAsync("invalid_name", end =>
        {
            var request = new IssueLeaseRequest(LeasingBroker.Role, world.Ci.RunId, "deploy", "smoke", null);
            request = field switch
            {
                "role" => request with { Role = request.Role + end },
                "run" => request with { Run = request.Run + end },
                "step" => request with { Step = request.Step + end },
                _ => request with { Purpose = request.Purpose + end },
            };
            return runner.PostAsJsonAsync(Routes.Leases, request);
        });
    }

    [Theory]
    [InlineData("role", "invalid_name")]
    [InlineData("incident", "invalid_incident")]
    public async Task A_break_glass_role_or_incident_ending_in_a_line_break_or_control_character_is_refused(string field, string code)
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        await EveryEndIsRefusedAsync(code, end => field == "role"
            ? oncall.BreakGlassAsync(BreakGlassWorld.Solo + end)
            : oncall.BreakGlassAsync(BreakGlassWorld.Solo, incident: "INC-1" + end));
    }

    [Fact]
    public async Task A_break_glass_justification_holding_a_line_break_or_control_character_is_refused_with_invalid_field()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        await EveryEndIsRefusedAsync("invalid_field", end =>
            oncall.BreakGlassAsync(BreakGlassWorld.Solo, BreakGlassWorld.Justification[..20] + end + BreakGlassWorld.Justification[20..]));
    }

    [Fact]
    public async Task A_break_glass_justification_is_stored_without_the_spaces_and_line_breaks_around_it()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo, "  " + BreakGlassWorld.Justification + "\r\n");

        await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(BreakGlassWorld.Justification, (await response.ReadAsync()).Request.Justification);
    }

    [Theory]
    [InlineData("issuer", "unknown_issuer")]
    [InlineData("subject", "invalid_selector")]
    [InlineData("selector claim", "invalid_selector")]
    [InlineData("selector value", "invalid_selector")]
    [InlineData("reason", "invalid_selector")]
    public async Task An_identity_revocation_field_ending_in_a_line_break_or_control_character_is_refused(string field, string code)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        await EveryEndIsRefusedAsync(code, end =>
        {
            var (issuer, subject, selector) = Target(field, end);
            var reason = field == "reason" ? "token in build log" + end : "token in build log";
            return security.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest(issuer, subject, selector, reason, Block: false));
        });
    }

    [Theory]
    [InlineData("issuer")]
    [InlineData("subject")]
    [InlineData("selector claim")]
    [InlineData("selector value")]
    public async Task An_identity_unblock_field_ending_in_a_line_break_or_control_character_is_refused_with_invalid_selector(string field)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        await EveryEndIsRefusedAsync("invalid_selector", end =>
        {
            var (issuer, subject, selector) = Target(field, end);
            return security.PostAsJsonAsync($"{Routes.Identities}/unblock", new UnblockIdentityRequest(issuer, subject, selector));
        });
    }

    [Theory]
    [InlineData("token name")]
    [InlineData("secret name")]
    [InlineData("secret field name")]
    public async Task An_operator_chosen_name_ending_in_a_line_break_or_control_character_is_refused_with_invalid_name(string field)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        // Kestrel itself refuses a NUL in the path (a bare 400 before any endpoint runs), so that one is not the broker's to answer.
        await EveryEndIsRefusedAsync(
            "invalid_name",
            end => field switch
            {
                "token name" => admin.PostAsync(Routes.Tokens, RequestBodies.Json(RequestBodies.Token("ci-deploy" + end, "security"))),
                "secret name" => admin.PutAsync($"{Routes.Secrets}/{Uri.EscapeDataString("orders-db" + end)}", RequestBodies.Json(RequestBodies.GenericSecret("password", "hunter2"))),
                _ => admin.PutAsync($"{Routes.Secrets}/orders-db", RequestBodies.Json(RequestBodies.GenericSecret("password" + end, "hunter2"))),
            },
            except: field == "secret name" ? "NUL" : null);
    }

    /// <summary>An identity target with <paramref name="end"/> on the named part: one issuer's subject, or a claim selector.</summary>
    private static (string Issuer, string? Subject, string? Selector) Target(string field, string end) => field switch
    {
        "issuer" => ("github" + end, "repo:acme/app:ref:refs/heads/main", null),
        "subject" => ("github", "repo:acme/app:ref:refs/heads/main" + end, null),
        "selector claim" => ("github", null, "repository" + end + "=acme/app"),
        "selector value" => ("github", null, "repository=acme/app" + end),
        _ => ("github", "repo:acme/app:ref:refs/heads/main", null),
    };

    private static async Task EveryEndIsRefusedAsync(string code, Func<string, Task<HttpResponseMessage>> send, string? except = null)
    {
        var passed = new List<string>();
        foreach (var (name, end) in Ends.Where(e => e.Key != except))
        {
            using var response = await send(end);
            var body = await response.Content.ReadAsStringAsync();
            var isProblem = response.Content.Headers.ContentType?.MediaType == ProblemAnswer.ContentType;
            var problem = isProblem ? JsonSerializer.Deserialize<ProblemResponse>(body, Web) : null;
            if (response.StatusCode != HttpStatusCode.BadRequest || problem?.Code != code)
            {
                passed.Add($"{name}: {(int)response.StatusCode} {body}");
            }
        }

        Assert.True(passed.Count == 0, $"Expected 400 {code} for every ending; got:\n{string.Join('\n', passed)}");
    }
}
