using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class InvalidValueTests
{
    [Theory]
    [InlineData("mysql-admin")]
    [InlineData("Generic")]
    [InlineData("postgresql_admin")]
    [InlineData("")]
    public async Task A_secret_of_an_unknown_type_is_refused_with_unknown_secret_type(string type)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var body = JsonSerializer.Serialize(new { type, fields = new { password = "hunter2" } });

        using var response = await admin.PutAsync("/v1/secrets/orders-db", RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_secret_type");
    }

    [Theory]
    [InlineData("port", "not-a-port")]
    [InlineData("port", "0")]
    [InlineData("port", "65536")]
    [InlineData("password", "")]
    public async Task A_postgresql_admin_field_with_a_bad_value_is_refused_with_invalid_field(string field, string value)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue());
        fields[field] = value;

        using var response = await admin.PutAsync("/v1/secrets/orders-db", RequestBodies.Json(JsonSerializer.Serialize(new { type = "postgresql-admin", fields })));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_field");
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""["root"]""")]
    [InlineData("""["Admin"]""")]
    [InlineData("""["admin","superuser"]""")]
    [InlineData("""[""]""")]
    [InlineData("""[null]""")]
    public async Task A_token_with_an_invalid_scope_is_refused_with_invalid_scope(string scopes)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync("/v1/tokens", RequestBodies.Json($$"""{"name":"ci-deploy","scopes":{{scopes}}}"""));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(59L)]
    [InlineData(-1L)]
    [InlineData(-3600L)]
    [InlineData((366L * 86400) + 1)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public async Task A_token_with_a_lifetime_outside_one_minute_to_366_days_is_refused_with_invalid_ttl(long ttlSeconds)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], ttlSeconds));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_ttl");
    }

    [Theory]
    [InlineData(60L)]
    [InlineData(366L * 86400)]
    public async Task A_token_lifetime_at_either_bound_is_accepted_and_sets_the_expiry(long ttlSeconds)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], ttlSeconds));

        await response.ShouldBeAsync(HttpStatusCode.Created);
        var created = await response.Content.ReadFromJsonAsync<CreatedToken>();
        Assert.Equal((broker.Clock.GetCurrentInstant() + Duration.FromSeconds(ttlSeconds)).ToDateTimeOffset(), created!.ExpiresAt);
    }
}
