using System.Net;
using System.Net.Http.Headers;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Tokens;

public sealed class ScopeTests
{
    private const string Admin = "admin";
    private const string Security = "security";
    private const string Operator = "operator";
    private const string AnyToken = "any token";

    private static readonly string[] AllScopes = [Admin, Security, Operator];

    /// <summary>Every endpoint and the scope it needs; admin may call them all.</summary>
    private static readonly (string Method, string Path, string Scope)[] Endpoints =
    [
        ("GET", "/v1/secrets", Admin),
        ("PUT", "/v1/secrets/orders-db", Admin),
        ("GET", "/v1/secrets/orders-db", Admin),
        ("DELETE", "/v1/secrets/orders-db", Admin),
        ("POST", "/v1/tokens", Admin),
        ("GET", "/v1/tokens", Admin),
        ("DELETE", "/v1/tokens/some-id", Admin),
        ("GET", "/v1/audit", Security),
        ("GET", "/v1/audit/verify", Security),
        ("GET", "/v1/status", AnyToken),
    ];

    public static TheoryData<string, string> EveryEndpoint()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path, _) in Endpoints)
        {
            data.Add(method, path);
        }

        return data;
    }

    /// <summary>Every endpoint with each scope that must not open it.</summary>
    public static TheoryData<string, string, string> EveryEndpointAndAScopeThatDoesNotOpenIt()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, path, scope) in Endpoints.Where(e => e.Scope != AnyToken))
        {
            foreach (var held in AllScopes.Where(s => s != scope && s != Admin))
            {
                data.Add(method, path, held);
            }
        }

        return data;
    }

    /// <summary>Every endpoint with each scope that opens it: its own, admin, or any scope at all for /v1/status.</summary>
    public static TheoryData<string, string, string> EveryEndpointAndAScopeThatOpensIt()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, path, scope) in Endpoints)
        {
            foreach (var held in AllScopes.Where(s => scope == AnyToken || s == scope || s == Admin))
            {
                data.Add(method, path, held);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task A_request_without_a_token_is_refused_with_unauthenticated_and_a_bearer_challenge(string method, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();

        using var response = await anonymous.SendAsync(method, path, ValidBody(method, path));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task A_request_with_a_garbage_token_is_refused_with_unauthenticated(string method, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var stranger = broker.Client("sbt_" + new string('A', 43));

        using var response = await stranger.SendAsync(method, path, ValidBody(method, path));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [MemberData(nameof(EveryEndpointAndAScopeThatDoesNotOpenIt))]
    public async Task A_token_without_the_needed_scope_is_refused_with_insufficient_scope(string method, string path, string held)
    {
        await using var broker = await TestBroker.StartAsync();
        using var caller = broker.Client(await broker.CreateTokenAsync("limited", held));

        using var response = await caller.SendAsync(method, path, ValidBody(method, path));

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Theory]
    [MemberData(nameof(EveryEndpointAndAScopeThatOpensIt))]
    public async Task A_token_with_the_needed_scope_gets_past_authentication_and_authorization(string method, string path, string held)
    {
        await using var broker = await TestBroker.StartAsync();
        using var caller = broker.Client(await broker.CreateTokenAsync("allowed", held));

        using var response = await caller.SendAsync(method, path, ValidBody(method, path));

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, $"{method} {path}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task A_token_holding_every_scope_but_admin_is_refused_on_admin_endpoints()
    {
        await using var broker = await TestBroker.StartAsync();
        using var caller = broker.Client(await broker.CreateTokenAsync("almost-admin", Security, Operator));

        using var secrets = await caller.GetAsync("/v1/secrets");
        using var tokens = await caller.GetAsync("/v1/tokens");

        await secrets.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await tokens.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Theory]
    [InlineData("Bearer garbage")]
    [InlineData("Bearer ")]
    [InlineData("Bearer sbt_")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Token sbt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer sbt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA AAAA")]
    [InlineData("Bearer sbt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_garbage_authorization_header_is_refused_with_unauthenticated(string header)
    {
        await using var broker = await TestBroker.StartAsync();
        using var stranger = broker.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/status", UriKind.Relative));
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));

        using var response = await stranger.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_admin_token_in_another_scheme_is_refused_with_unauthenticated()
    {
        await using var broker = await TestBroker.StartAsync();
        using var stranger = broker.Client();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", broker.AdminToken);

        using var response = await stranger.GetAsync("/v1/status");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_refused_request_is_audited_as_denied_with_its_reason()
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();
        using var stranger = broker.Client("sbt_" + new string('A', 43));
        using var limited = broker.Client(await broker.CreateTokenAsync("limited", Operator));
        var before = await VaultState.ReadAsync(broker);

        using var missing = await anonymous.GetAsync("/v1/secrets");
        using var garbage = await stranger.GetAsync("/v1/secrets");
        using var scope = await limited.GetAsync("/v1/secrets");

        var events = await before.AuditSinceAsync(broker);
        Assert.Equal(["denied", "denied", "denied"], events.Select(e => e.Decision));
        Assert.Equal(["missing_token", "invalid_token", "insufficient_scope"], events.Select(e => e.Reason));
        Assert.Equal(["anonymous", "anonymous"], events.Take(2).Select(e => e.Actor));
        Assert.StartsWith("token:", events[2].Actor, StringComparison.Ordinal);
    }

    private static StringContent? ValidBody(string method, string path) => (method, path) switch
    {
        ("PUT", _) => RequestBodies.Json(RequestBodies.GenericSecret("password", "hunter2")),
        ("POST", "/v1/tokens") => RequestBodies.Json(RequestBodies.Token("ci-deploy", Security)),
        _ => null,
    };
}
