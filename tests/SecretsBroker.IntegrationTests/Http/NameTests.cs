using System.Net;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class NameTests
{
    private const string SixtyThree = "orders-db-0123456789-0123456789-0123456789-0123456789-012345678";

    [Fact]
    public async Task A_secret_name_over_63_characters_is_refused_with_name_too_long()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PutAsync($"/v1/secrets/{SixtyThree}x", RequestBodies.Json(RequestBodies.GenericSecret("password", "hunter2")));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "name_too_long");
    }

    [Fact]
    public async Task A_secret_name_of_exactly_63_characters_is_accepted()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        Assert.Equal(63, SixtyThree.Length);

        using var response = await admin.PutAsync($"/v1/secrets/{SixtyThree}", RequestBodies.Json(RequestBodies.GenericSecret("password", "hunter2")));

        await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("Orders-DB")]
    [InlineData("orders%20db")]
    [InlineData("..%2Fx")]
    [InlineData("orders%2Fdb")]
    [InlineData("-orders-db")]
    [InlineData(".orders-db")]
    [InlineData("_orders-db")]
    [InlineData("orders-db%0A")]
    [InlineData("orders:db")]
    [InlineData("%C3%A9t%C3%A9")]
    public async Task A_secret_name_outside_the_safe_pattern_is_refused_with_invalid_name(string nameInPath)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PutAsync($"/v1/secrets/{nameInPath}", RequestBodies.Json(RequestBodies.GenericSecret("password", "hunter2")));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_name");
        Assert.Empty((await VaultState.ReadAsync(broker)).Secrets);
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("db password")]
    [InlineData("../x")]
    [InlineData("-password")]
    [InlineData("password\n")]
    public async Task A_field_name_outside_the_safe_pattern_is_refused_with_invalid_name(string field)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PutAsync("/v1/secrets/orders-db", RequestBodies.Json(RequestBodies.GenericSecret(field, "hunter2")));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_name");
    }

    [Fact]
    public async Task A_token_name_over_63_characters_is_refused_with_name_too_long()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync("/v1/tokens", RequestBodies.Json(RequestBodies.Token(SixtyThree + "x", "security")));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "name_too_long");
    }

    [Fact]
    public async Task A_token_name_of_exactly_63_characters_is_accepted()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync("/v1/tokens", RequestBodies.Json(RequestBodies.Token(SixtyThree, "security")));

        await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CI-Deploy")]
    [InlineData("ci deploy")]
    [InlineData("../x")]
    [InlineData("ci/deploy")]
    [InlineData("ci%2Fdeploy")]
    [InlineData("-ci-deploy")]
    [InlineData(".ci-deploy")]
    [InlineData("ci-deploy\n")]
    [InlineData("ci-deploy\r\nX-Injected: 1")]
    [InlineData("ci\tdeploy")]
    [InlineData("ci-déploy")]
    public async Task A_token_name_outside_the_safe_pattern_is_refused_with_invalid_name(string name)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync("/v1/tokens", RequestBodies.Json(RequestBodies.Token(name, "security")));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_name");
    }
}
