using System.Net;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class AuditQueryTests
{
    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=1001")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=ten")]
    [InlineData("?limit=2147483648")]
    [InlineData("?after=abc")]
    [InlineData("?after=-1")]
    [InlineData("?after=1.5")]
    [InlineData("?after=99999999999999999999")]
    public async Task A_bad_audit_query_is_refused_with_invalid_query(string query)
    {
        await using var broker = await TestBroker.StartAsync();
        var security = broker.Client(await broker.CreateTokenAsync("incident-response", "security"));

        using var response = await security.GetAsync("/v1/audit" + query);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
    }

    [Theory]
    [InlineData("?limit=1")]
    [InlineData("?limit=1000")]
    [InlineData("?after=0&limit=1000")]
    public async Task An_audit_query_within_bounds_is_answered(string query)
    {
        await using var broker = await TestBroker.StartAsync();
        var security = broker.Client(await broker.CreateTokenAsync("incident-response", "security"));

        using var response = await security.GetAsync("/v1/audit" + query);

        await response.ShouldBeAsync(HttpStatusCode.OK);
    }
}
