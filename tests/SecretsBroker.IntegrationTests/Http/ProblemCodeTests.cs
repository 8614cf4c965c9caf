using System.Net;
using SecretsBroker.Contracts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>Answers no endpoint wrote carry the code of what went wrong, not a generic one.</summary>
public sealed class ProblemCodeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("sbt_notarealtokenatall")]
    [InlineData("not-even-shaped-like-a-token")]
    public async Task The_jobs_dashboard_without_a_valid_token_answers_unauthenticated(string? token)
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client(token);

        using var response = await client.GetAsync("/hangfire");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("security")]
    [InlineData("operator")]
    public async Task The_jobs_dashboard_for_a_token_without_admin_answers_insufficient_scope(string scope)
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client(await broker.CreateTokenAsync("not-admin", scope));

        using var response = await client.GetAsync("/hangfire");

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Theory]
    [InlineData("?unreviewed=abc")]
    [InlineData("?unreviewed=")]
    [InlineData("?unreviewed=yes")]
    [InlineData("?limit=abc")]
    public async Task A_bad_break_glass_list_query_is_refused_with_invalid_query(string query)
    {
        await using var broker = await TestBroker.StartAsync();
        using var oncall = broker.Client(await broker.CreateTokenAsync("oncall", "operator"));

        using var response = await oncall.GetAsync(Routes.BreakGlass + query);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
    }

    [Theory]
    [InlineData("?unreviewed=true")]
    [InlineData("?unreviewed=false")]
    public async Task A_break_glass_list_query_with_true_or_false_is_answered(string query)
    {
        await using var broker = await TestBroker.StartAsync();
        using var oncall = broker.Client(await broker.CreateTokenAsync("oncall", "operator"));

        using var response = await oncall.GetAsync(Routes.BreakGlass + query);

        await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/v1/audit?limit=abc")]
    [InlineData("/v1/audit?after=x")]
    [InlineData("/v1/identities?after=x")]
    [InlineData("/v1/leases?limit=abc")]
    public async Task A_bad_list_query_is_refused_with_invalid_query(string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var security = broker.Client(await broker.CreateTokenAsync("sec", "security"));

        using var response = await security.GetAsync(path);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
    }
}
