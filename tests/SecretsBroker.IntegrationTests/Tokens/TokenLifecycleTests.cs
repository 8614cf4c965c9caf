using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using NodaTime;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Tokens;

public sealed class TokenLifecycleTests
{
    [Fact]
    public async Task A_new_token_is_shown_once_and_starts_with_sbt_()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security", "operator"], null));
        var created = (await response.Content.ReadFromJsonAsync<CreatedToken>())!;
        var listed = await admin.GetStringAsync("/v1/tokens");
        var list = await admin.GetFromJsonAsync<TokenList>("/v1/tokens");

        await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.StartsWith("sbt_", created.Token, StringComparison.Ordinal);
        Assert.Equal(new Uri($"/v1/tokens/{created.Id}", UriKind.Relative), response.Headers.Location);
        Assert.Equal(["security", "operator"], created.Scopes);
        var info = Assert.Single(list!.Tokens, t => t.Id == created.Id);
        Assert.Equal("ci-deploy", info.Name);
        Assert.Equal(["security", "operator"], info.Scopes);
        Assert.Null(info.RevokedAt);
        Assert.DoesNotContain(created.Token, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Sha256(created.Token), listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"hash\"", listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"token\"", listed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_new_token_works_at_once_with_exactly_its_scopes()
    {
        await using var broker = await TestBroker.StartAsync();
        var token = await broker.CreateTokenAsync("ci-deploy", "security");
        using var ci = broker.Client(token);

        var status = await ci.GetFromJsonAsync<BrokerStatus>("/v1/status");

        Assert.Equal(["security"], status!.Scopes);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_with_unauthenticated()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], null));
        var created = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;
        using var ci = broker.Client(created.Token);
        using var beforeRevoke = await ci.GetAsync("/v1/audit");

        using var revoked = await admin.DeleteAsync($"/v1/tokens/{created.Id}");
        using var afterRevoke = await ci.GetAsync("/v1/audit");
        var list = await admin.GetFromJsonAsync<TokenList>("/v1/tokens");

        await beforeRevoke.ShouldBeAsync(HttpStatusCode.OK);
        await revoked.ShouldBeAsync(HttpStatusCode.NoContent);
        await afterRevoke.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", afterRevoke.Headers.WwwAuthenticate.ToString());
        Assert.Equal(broker.Clock.GetCurrentInstant().ToDateTimeOffset(), Assert.Single(list!.Tokens, t => t.Id == created.Id).RevokedAt);
    }

    [Fact]
    public async Task Revoking_a_token_twice_is_refused_with_token_not_found()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], null));
        var created = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;
        using var first = await admin.DeleteAsync($"/v1/tokens/{created.Id}");

        using var second = await admin.DeleteAsync($"/v1/tokens/{created.Id}");

        await first.ShouldBeAsync(HttpStatusCode.NoContent);
        await second.ShouldBeProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_unauthenticated_from_its_expiry_on()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], 3600));
        var created = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;
        using var ci = broker.Client(created.Token);

        broker.Clock.Advance(Duration.FromSeconds(3599));
        using var lastSecond = await ci.GetAsync("/v1/status");
        broker.Clock.Advance(Duration.FromSeconds(1));
        using var atExpiry = await ci.GetAsync("/v1/status");
        broker.Clock.Advance(Duration.FromDays(1));
        using var dayAfter = await ci.GetAsync("/v1/status");

        await lastSecond.ShouldBeAsync(HttpStatusCode.OK);
        await atExpiry.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await dayAfter.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", atExpiry.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_database_holds_only_the_sha256_of_a_token_never_its_value()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], null));
        var created = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;

        string storedHash;
        await using (var db = broker.OpenRawDatabase())
        {
            storedHash = await db.ExecuteScalarAsync<string>("SELECT hash FROM operator_token WHERE id = @Id", new { created.Id }) ?? "";
        }

        Assert.Equal(Sha256(created.Token), storedHash);
        var files = Directory.GetFiles(broker.DataDirectory, "broker.db*").Select(ReadShared).ToList();
        Assert.Contains(files, bytes => Contains(bytes, Encoding.UTF8.GetBytes(storedHash)));
        foreach (var value in new[] { created.Token, broker.AdminToken! })
        {
            Assert.DoesNotContain(files, bytes => Contains(bytes, Encoding.UTF8.GetBytes(value)));
        }
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
