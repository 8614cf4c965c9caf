using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using SecretsBroker.Contracts;

namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>
/// Sends webhook deliveries to a broker over loopback the way the CI platforms do. A GitHub delivery is
/// signed for real: <c>X-Hub-Signature-256</c> is the HMAC-SHA256, under <paramref name="secret"/>, of
/// the very bytes put on the wire. A GitLab delivery carries <paramref name="secret"/> in <c>X-Gitlab-Token</c>.
/// </summary>
internal sealed class HookSender(HttpClient client, string secret)
{
    public const string Json = "application/json";

    /// <summary>GitHub's signature header value for <paramref name="body"/> under <paramref name="key"/>.</summary>
    public static string Signature(byte[] body, string key) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));

    /// <summary>A new GitHub delivery id, a GUID as GitHub sends.</summary>
    public static string NewDelivery() => Guid.NewGuid().ToString();

    /// <summary>A GitHub delivery of <paramref name="eventName"/>, signed over the UTF-8 bytes of <paramref name="body"/>.</summary>
    public Task<HttpResponseMessage> GitHubAsync(string eventName, string delivery, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return GitHubRawAsync(eventName, delivery, bytes, Signature(bytes, secret));
    }

    /// <summary>A GitHub delivery with <paramref name="signature"/> as given (null leaves the header out) and its own content type.</summary>
    public Task<HttpResponseMessage> GitHubRawAsync(string eventName, string delivery, byte[] body, string? signature, string contentType = Json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.GitHubHook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/3f9c1a2");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-GitHub-Hook-ID", "412345678");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-Type", "repository");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-ID", "300029405");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        return SendAsync(request);
    }

    /// <summary>
    /// A GitLab delivery of <paramref name="body"/> with <c>X-Gitlab-Event</c> <paramref name="eventName"/>
    /// (<c>Pipeline Hook</c>, <c>Job Hook</c>), its event UUID and, as GitLab 17.4 and later send, an
    /// <c>Idempotency-Key</c> kept across retries; <paramref name="token"/> overrides the secret sent.
    /// </summary>
    public Task<HttpResponseMessage> GitLabAsync(string eventName, string body, string eventUuid, string? idempotencyKey = null, string? token = null, string contentType = Json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.GitLabHook) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.UserAgent.ParseAdd("GitLab/17.6.1");
        request.Headers.Add("X-Gitlab-Event", eventName);
        request.Headers.Add("X-Gitlab-Instance", "https://gitlab.example.test");
        request.Headers.Add("X-Gitlab-Webhook-UUID", "4b5e1f3a-9c0d-4e6f-8a7b-2c1d0e9f8a7b");
        request.Headers.Add("X-Gitlab-Event-UUID", eventUuid);
        request.Headers.Add("X-Gitlab-Token", token ?? secret);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return await client.SendAsync(request);
        }
    }
}
