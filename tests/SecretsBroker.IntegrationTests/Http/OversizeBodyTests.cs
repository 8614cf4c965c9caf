using System.Net;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class OversizeBodyTests
{
    private const int DefaultLimit = 64 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_oversize_secret_body_is_refused_with_body_too_large(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var body = RequestBodies.GenericSecretOfSize(DefaultLimit + 1);

        using var response = await admin.SendAsync("PUT", "/v1/secrets/orders-db", chunked ? RequestBodies.Chunked(body) : RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_oversize_token_body_is_refused_with_body_too_large(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var body = RequestBodies.TokenOfSize("ci-deploy", DefaultLimit + 1);

        using var response = await admin.SendAsync("POST", "/v1/tokens", chunked ? RequestBodies.Chunked(body) : RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_of_exactly_64_KiB_is_accepted(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var body = RequestBodies.GenericSecretOfSize(DefaultLimit);

        using var response = await admin.SendAsync("PUT", "/v1/secrets/orders-db", chunked ? RequestBodies.Chunked(body) : RequestBodies.Json(body));

        await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_lower_configured_limit_refuses_a_body_the_default_would_take(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync(WithLimit(2048));
        using var admin = broker.Admin();
        var body = RequestBodies.GenericSecretOfSize(2049);

        using var response = await admin.SendAsync("PUT", "/v1/secrets/orders-db", chunked ? RequestBodies.Chunked(body) : RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_higher_configured_limit_takes_a_body_the_default_would_refuse(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync(WithLimit(256 * 1024));
        using var admin = broker.Admin();
        var body = RequestBodies.GenericSecretOfSize(200 * 1024);

        using var response = await admin.SendAsync("PUT", "/v1/secrets/orders-db", chunked ? RequestBodies.Chunked(body) : RequestBodies.Json(body));

        await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    private static TestBrokerOptions WithLimit(int bytes) =>
        new() { Settings = new Dictionary<string, string?> { ["Broker:MaxRequestBodyBytes"] = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
}
