using System.Net;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class UnknownRouteTests
{
    [Theory]
    [InlineData("GET", "/v1/nothing")]
    [InlineData("GET", "/nothing")]
    [InlineData("GET", "/v2/secrets")]
    [InlineData("PUT", "/v1/secrets/orders-db/fields")]
    [InlineData("DELETE", "/v1/tokens/abc/def")]
    public async Task An_unknown_route_is_answered_with_not_found(string method, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("PATCH", "/v1/secrets/orders-db", "DELETE, GET, PUT")]
    [InlineData("POST", "/v1/secrets/orders-db", "DELETE, GET, PUT")]
    [InlineData("DELETE", "/v1/secrets", "GET")]
    [InlineData("PUT", "/v1/tokens", "GET, POST")]
    [InlineData("GET", "/v1/tokens/some-id", "DELETE")]
    [InlineData("POST", "/v1/audit", "GET")]
    [InlineData("POST", "/healthz", "GET")]
    [InlineData("DELETE", "/v1/status", "GET")]
    public async Task A_wrong_method_is_refused_with_method_not_allowed_naming_the_allowed_ones(string method, string path, string allowed)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path);

        await response.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow.Order(StringComparer.Ordinal)));
    }
}
