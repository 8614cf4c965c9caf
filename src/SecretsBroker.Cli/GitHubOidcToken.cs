using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SecretsBroker.Cli;

/// <summary>
/// A GitHub Actions job's OIDC token, asked for from the runner's token endpoint the way
/// <c>@actions/core</c>'s <c>getIDToken</c> does: GET <c>$ACTIONS_ID_TOKEN_REQUEST_URL&amp;audience=…</c> with
/// <c>$ACTIONS_ID_TOKEN_REQUEST_TOKEN</c> as the bearer, answered by <c>{"value": "&lt;jwt&gt;"}</c>.
/// The variables exist only in jobs with <c>permissions: id-token: write</c>.
/// </summary>
internal static class GitHubOidcToken
{
    public const string RequestUrlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL";
    public const string RequestTokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    // A job step waits on this; the endpoint answers in well under a second when it is up.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // An id-token is a few KiB; anything far larger is not the answer we asked for.
    private const int MaxAnswerBytes = 64 * 1024;

    /// <summary>True when the job's environment offers GitHub's token endpoint.</summary>
    public static bool IsOffered(Func<string, string?> getEnvironmentVariable) =>
        !string.IsNullOrWhiteSpace(getEnvironmentVariable(RequestUrlVariable))
        && !string.IsNullOrWhiteSpace(getEnvironmentVariable(RequestTokenVariable));

    /// <summary>
    /// The address asked: the endpoint with <c>audience=</c> appended, URL-encoded, after <c>&amp;</c> when the
    /// endpoint has a query already (GitHub's does) and <c>?</c> otherwise. Only https, or http to a loopback
    /// address, since the request carries the runner's bearer token.
    /// </summary>
    public static Uri RequestUri(string endpoint, string audience)
    {
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || uri.UserInfo.Length > 0
            || uri.Fragment.Length > 0)
        {
            throw CommandFailedException.Usage(
                "invalid_oidc_request_url", $"{RequestUrlVariable} is not an https:// address (or http:// to loopback) without user info or fragment");
        }

        var separator = uri.Query.Length > 1 ? "&" : uri.Query == "?" ? "" : "?";
        return new Uri($"{uri.GetLeftPart(UriPartial.Query)}{separator}audience={Uri.EscapeDataString(audience)}");
    }

    /// <summary>Fetches the token for <paramref name="audience"/>. Neither token is ever put in a message.</summary>
    public static async Task<string> FetchAsync(string audience, Func<string, string?> getEnvironmentVariable, CancellationToken cancellationToken)
    {
        var uri = RequestUri(getEnvironmentVariable(RequestUrlVariable) ?? "", audience);
        var requestToken = BrokerConnection.CheckShape(
            (getEnvironmentVariable(RequestTokenVariable) ?? "").Trim(), "invalid_oidc_request_token", $"{RequestTokenVariable} value");
        var host = $"{uri.Scheme}://{uri.Authority}";

        // No redirects: the bearer token is for this endpoint only.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout, MaxResponseContentBufferSize = MaxAnswerBytes };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", requestToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        string body;
        HttpStatusCode status;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            throw new CommandFailedException("oidc_response_invalid", $"GitHub's token endpoint {host} closed the connection without a valid HTTP answer");
        }
        catch (HttpRequestException)
        {
            // Includes an answer past MaxAnswerBytes, which HttpClient reports as a request failure.
            throw new CommandFailedException("oidc_request_failed", $"cannot get an OIDC token from GitHub's token endpoint {host}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailedException("oidc_request_timeout", $"no OIDC token from GitHub's token endpoint {host} within {Timeout.TotalSeconds:0}s");
        }

        if (status != HttpStatusCode.OK)
        {
            throw new CommandFailedException(
                "oidc_request_refused",
                $"GitHub's token endpoint {host} refused to issue an OIDC token (does the job have 'permissions: id-token: write'?)",
                (int)status);
        }

        var token = ValueOf(body) ?? throw new CommandFailedException(
            "oidc_response_invalid", $"GitHub's token endpoint {host} did not answer with a JSON object holding one string 'value'");
        return token;
    }

    /// <summary>The one string member <c>value</c> of a JSON object; null for anything else (other members are ignored).</summary>
    public static string? ValueOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var values = document.RootElement.EnumerateObject().Where(member => member.NameEquals("value")).ToList();
            return values is [{ Value.ValueKind: JsonValueKind.String } only] && only.Value.GetString() is { Length: > 0 } value ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
