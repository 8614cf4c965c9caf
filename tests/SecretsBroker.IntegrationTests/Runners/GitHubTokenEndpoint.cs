using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// A stand-in for the GitHub Actions runner's OIDC token endpoint on 127.0.0.1:0: its URL carries
/// <c>?api-version=2.0</c> as GitHub's does, and a GET with the right bearer and the expected audience
/// gets <c>{"value": "&lt;jwt&gt;"}</c> with a token minted at that moment. Anything else gets 401 or 400.
/// Every request's audience is recorded, or "(refused)".
/// </summary>
internal sealed class GitHubTokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;

    private GitHubTokenEndpoint(WebApplication app, string requestToken)
    {
        this.app = app;
        RequestToken = requestToken;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Url = new Uri(new Uri(address), "/_apis/actions/idtoken?api-version=2.0");
    }

    /// <summary>What the runner sets as ACTIONS_ID_TOKEN_REQUEST_URL.</summary>
    public Uri Url { get; }

    /// <summary>What the runner sets as ACTIONS_ID_TOKEN_REQUEST_TOKEN.</summary>
    public string RequestToken { get; }

    /// <summary>The audience of each request, in order.</summary>
    public ConcurrentQueue<string> Audiences { get; } = new();

    /// <summary>
    /// Starts the endpoint; <paramref name="answer"/> gives the body for an accepted request (by default
    /// <c>{"value": mint()}</c>), so a test can make it answer something else.
    /// </summary>
    public static async Task<GitHubTokenEndpoint> StartAsync(string audience, Func<string> mint, Func<string>? answer = null)
    {
        var requestToken = "ghs_" + Guid.NewGuid().ToString("N");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        GitHubTokenEndpoint? endpoint = null;
        app.MapGet("/_apis/actions/idtoken", (HttpContext http) =>
        {
            var query = http.Request.Query;
            if (http.Request.Headers.Authorization.ToString() != $"Bearer {requestToken}" || query["api-version"] != "2.0")
            {
                endpoint!.Audiences.Enqueue("(refused)");
                return Results.Json(new { message = "bad credentials" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var asked = query["audience"].ToString();
            endpoint!.Audiences.Enqueue(asked);
            return asked == audience
                ? Results.Text(answer?.Invoke() ?? System.Text.Json.JsonSerializer.Serialize(new { value = mint() }), "application/json")
                : Results.Json(new { message = "unexpected audience" }, statusCode: StatusCodes.Status400BadRequest);
        });
        await app.StartAsync();
        endpoint = new GitHubTokenEndpoint(app, requestToken);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
