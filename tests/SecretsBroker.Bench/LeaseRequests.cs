using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// The one request shape both endpoints get: a POST of a lease request with the client's CI token
/// as bearer. The bare endpoint ignores the token; the broker verifies it.
/// </summary>
internal static class LeaseRequests
{
    public const string Purpose = "bench";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public static HttpRequestMessage Build(Uri url, BenchToken client, string step, string role = LeasingBroker.Role)
    {
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new IssueLeaseRequest(role, client.Run, step, Purpose, null), Json));
        body.Headers.ContentType = JsonType;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, Routes.Leases)) { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.Token);
        return request;
    }
}
