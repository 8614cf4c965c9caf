using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>Request bodies exactly as a test means them: raw JSON text, exact sizes, with or without a Content-Length.</summary>
internal static class RequestBodies
{
    public static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    /// <summary>The same bytes sent chunked, with no Content-Length: the broker learns the size only by reading.</summary>
    public static HttpContent Chunked(string raw) => Chunked(raw, "application/json");

    /// <summary>As <see cref="Chunked(string)"/>, sent as <paramref name="contentType"/>.</summary>
    public static HttpContent Chunked(string raw, string contentType) => new ChunkedContent(Encoding.UTF8.GetBytes(raw), contentType);

    /// <summary>Raw text with exactly this Content-Type header, charset and boundary included or left out as written.</summary>
    public static HttpContent Typed(string raw, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(raw));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    public static string GenericSecret(string field, string value) =>
        JsonSerializer.Serialize(new { type = "generic", fields = new Dictionary<string, string> { [field] = value } });

    public static string Token(string name, params string[] scopes) => JsonSerializer.Serialize(new { name, scopes });

    /// <summary>A valid generic secret body of exactly <paramref name="bytes"/> bytes: only its size can be wrong.</summary>
    public static string GenericSecretOfSize(int bytes)
    {
        const int maxValue = 16 * 1024;
        var count = (bytes / (maxValue - 100)) + 1;
        var fields = Enumerable.Range(0, count).ToDictionary(i => $"f{i:D2}", _ => "v");
        var room = bytes - Size(fields);
        Assert.True(room >= 0, $"{bytes} bytes is too small for a secret body.");
        foreach (var field in fields.Keys.ToList())
        {
            var extra = Math.Min(room, maxValue - 1);
            fields[field] = new string('v', 1 + extra);
            room -= extra;
        }

        var body = JsonSerializer.Serialize(new { type = "generic", fields });
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(body));
        return body;

        static int Size(Dictionary<string, string> fields) =>
            Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(new { type = "generic", fields }));
    }

    /// <summary>A valid token body of at least <paramref name="bytes"/> bytes: the scope "admin" repeated.</summary>
    public static string TokenOfSize(string name, int bytes)
    {
        var body = Token(name, [.. Enumerable.Repeat("admin", bytes / 8 + 1)]);
        Assert.True(Encoding.UTF8.GetByteCount(body) >= bytes);
        return body;
    }

    /// <summary>
    /// Sends a request as written. A body of a known size over 1 KiB goes with "Expect: 100-continue",
    /// as curl sends it: the broker may refuse a body on its headers alone and close the connection,
    /// and a client still writing that body could lose the answer to the reset that follows.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, string method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.ExpectContinue = content?.Headers.ContentLength > 1024;
        return await client.SendAsync(request);
    }

    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] bytes;

        public ChunkedContent(byte[] bytes, string contentType)
        {
            this.bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 4096)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
