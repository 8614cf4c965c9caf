using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SecretsBroker.Cli;

/// <summary>
/// HTTP mechanics of talking to the broker: addresses, the bearer token, connection failures and
/// JSON bodies. The API's endpoints are in <see cref="BrokerClient"/>.
/// </summary>
internal sealed class BrokerTransport : IDisposable
{
    // Long enough for a slow audit verification, short enough that a script against a dead host ends.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;
    private readonly BrokerConnection connection;

    public BrokerTransport(BrokerConnection connection)
    {
        this.connection = connection;
        http = new HttpClient { BaseAddress = connection.Address, Timeout = Timeout };
        // The broker records the user agent in its audit trail, so events show they came from sbctl.
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("sbctl", Version));
    }

    public bool HasToken => connection.Token is not null;

    public bool HasWorkloadToken => connection.Token is not null && connection.IsWorkload;

    private static string Version => typeof(BrokerTransport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Sends an authenticated request and reads a successful answer as <typeparamref name="T"/>.</summary>
    public async Task<T> CallAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body, authenticated: true, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends an authenticated request whose successful answer has no body (204).</summary>
    public async Task CallAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body: null, authenticated: true, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Sends a request and returns the raw answer, for callers that accept more than success.</summary>
    public Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, object? body, bool authenticated, CancellationToken cancellationToken) =>
        SendAsync(method, path, body, authenticated, headers: null, cancellationToken);

    /// <summary>Sends a request with extra <paramref name="headers"/>, whose values the caller has checked.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string path,
        object? body,
        bool authenticated,
        IReadOnlyDictionary<string, string>? headers,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        if (authenticated)
        {
            var token = connection.Token ?? throw CommandFailedException.Usage(
                "missing_token",
                $"no token: pass --token or --token-file, or set {BrokerConnection.TokenVariable} or {BrokerConnection.TokenFileVariable}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            // Serialized up front so the request carries Content-Length: some proxies refuse chunked request bodies.
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), BrokerJson.Wire), Encoding.UTF8, "application/json");
        }

        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw e.HttpRequestError switch
            {
                HttpRequestError.SecureConnectionError =>
                    new CommandFailedException("tls_failed", $"TLS handshake with {connection.DisplayAddress} failed"),
                HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse =>
                    new CommandFailedException("bad_response", $"{connection.DisplayAddress} closed the connection without a valid HTTP answer"),
                _ => new CommandFailedException("unreachable", $"cannot connect to {connection.DisplayAddress}"),
            };
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailedException("timeout", $"no answer from {connection.DisplayAddress} within {Timeout.TotalSeconds:0}s");
        }
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await FailedResponse.ToFailureAsync(response, cancellationToken);
        }
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(BrokerJson.Wire, cancellationToken)
                ?? throw BadResponse(response);
        }
        catch (JsonException)
        {
            throw BadResponse(response);
        }
    }

    public void Dispose() => http.Dispose();

    private static CommandFailedException BadResponse(HttpResponseMessage response) =>
        new("bad_response", $"the broker's answer to {response.RequestMessage?.RequestUri?.AbsolutePath} is not the expected JSON", (int)response.StatusCode);
}
