using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class ContentTypeTests
{
    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", null)]
    [InlineData("PUT", "/v1/secrets/orders-db", "text/plain")]
    [InlineData("PUT", "/v1/secrets/orders-db", "application/x-www-form-urlencoded")]
    [InlineData("PUT", "/v1/secrets/orders-db", "application/xml")]
    [InlineData("PUT", "/v1/secrets/orders-db", "text/json")]
    [InlineData("POST", "/v1/tokens", null)]
    [InlineData("POST", "/v1/tokens", "text/plain")]
    [InlineData("POST", "/v1/tokens", "multipart/form-data")]
    [InlineData("POST", "/v1/tokens", "application/octet-stream")]
    public async Task A_json_body_sent_with_a_wrong_or_missing_content_type_is_refused_with_unsupported_media_type(string method, string path, string? contentType)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var json = method == "PUT" ? RequestBodies.GenericSecret("password", "hunter2") : RequestBodies.Token("ci-deploy", "security");
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        using var response = await admin.SendAsync(method, path, content);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db")]
    [InlineData("POST", "/v1/tokens")]
    public async Task A_request_with_no_body_at_all_is_refused_with_unsupported_media_type(string method, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }
}
