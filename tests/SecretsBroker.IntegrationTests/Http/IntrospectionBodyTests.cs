using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>
/// <c>POST /v1/introspect</c> takes an RFC 7662 form, read with the same bounds as any other body:
/// whatever a caller sends, the answer is a stable 4xx, never a 500.
/// </summary>
public sealed class IntrospectionBodyTests
{
    private const string Form = "application/x-www-form-urlencoded";
    private const int DefaultLimit = 64 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_introspection_form_over_the_body_limit_is_refused_with_body_too_large(bool chunked)
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();
        var body = "token=" + new string('a', DefaultLimit);

        using var response = await client.SendAsync("POST", Routes.Introspect, chunked ? RequestBodies.Chunked(body, Form) : RequestBodies.Typed(body, Form));

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task A_raised_body_limit_lets_a_larger_introspection_form_through()
    {
        await using var broker = await TestBroker.StartAsync(new TestBrokerOptions
        {
            Settings = new Dictionary<string, string?> { ["Broker:MaxRequestBodyBytes"] = (256 * 1024).ToString(CultureInfo.InvariantCulture) },
        });
        using var client = broker.Client();
        var body = "token=" + new string('a', 100 * 1024);

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Chunked(body, Form));

        await response.ShouldBeAsync(HttpStatusCode.OK);
        Assert.False((await response.Content.ReadFromJsonAsync<IntrospectionResponse>())!.Active);
    }

    [Fact]
    public async Task An_introspection_form_of_more_than_1024_fields_is_refused_with_malformed_form()
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();
        var body = string.Join('&', Enumerable.Range(0, 1025).Select(i => $"f{i}=1"));

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Typed(body, Form));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_form");
    }

    [Fact]
    public async Task An_introspection_form_key_over_2048_characters_is_refused_with_malformed_form()
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();
        var body = new string('k', 2049) + "=1&token=x";

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Typed(body, Form));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_form");
    }

    [Fact]
    public async Task An_introspection_form_with_bytes_that_are_not_utf8_is_refused_with_malformed_form()
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();
        using var content = new ByteArrayContent([.. "token="u8, 0xFF, 0xFE]);
        content.Headers.TryAddWithoutValidation("Content-Type", Form);

        using var response = await client.SendAsync("POST", Routes.Introspect, content);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_form");
    }

    [Fact]
    public async Task An_introspection_form_naming_the_token_twice_is_refused_with_duplicate_field()
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Typed("token=first&token=second", Form));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "duplicate_field");
        Assert.Contains("token", problem.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("first", problem.Detail ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=broker", "this is not multipart at all")]
    [InlineData("multipart/form-data; boundary=broker", "--broker\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc")]
    [InlineData("multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--x--\r\n")]
    [InlineData("application/json", """{"token":"abc"}""")]
    [InlineData("text/plain", "token=abc")]
    [InlineData(null, "token=abc")]
    public async Task An_introspection_body_that_is_not_a_urlencoded_form_is_refused_with_unsupported_media_type(string? contentType, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Typed(body, contentType));

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task An_introspection_form_with_a_charset_is_read()
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = broker.Client();

        using var response = await client.SendAsync("POST", Routes.Introspect, RequestBodies.Typed("token=not-a-jwt", Form + "; charset=utf-8"));

        await response.ShouldBeAsync(HttpStatusCode.OK);
        Assert.False((await response.Content.ReadFromJsonAsync<IntrospectionResponse>())!.Active);
    }

    [Theory]
    [InlineData(Form, "token=abc")]
    [InlineData("application/json", """{"role":"deploy-api"}""")]
    public async Task A_chunked_body_with_broken_framing_is_refused_with_invalid_body(string contentType, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        var path = contentType == Form ? Routes.Introspect : Routes.Tokens;
        var auth = contentType == Form ? "" : $"Authorization: Bearer {broker.AdminToken}\r\n";

        // A chunk size that is not hexadecimal: Kestrel fails the read of the body, not the request line.
        var answer = await SendRawAsync(broker, $"POST {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: {contentType}\r\n"
            + $"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{body.Length:x}\r\n{body}\r\nzz\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"invalid_body\"", answer, StringComparison.Ordinal);
    }

    private static async Task<string> SendRawAsync(TestBroker broker, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(broker.Address.Host, broker.Address.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
