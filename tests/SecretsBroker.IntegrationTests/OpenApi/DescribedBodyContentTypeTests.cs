using System.Net;
using System.Net.Http.Json;
using System.Text;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>
/// Describing a body is for the document only: a body sent with another content type still reaches the
/// broker's own reader and gets its 415 problem, audited, not a bare 415 from framework content-type filtering.
/// </summary>
public sealed class DescribedBodyContentTypeTests
{
    [Fact]
    public async Task Every_described_json_body_sent_as_text_gets_the_brokers_own_audited_unsupported_media_type()
    {
        await using var world = await LeasingBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(world.Broker);
        using var admin = world.Broker.Admin();
        using var runner = world.Runner();

        var described = PublishedDocument.Operations(document)
            .Where(o => DescribesContractBody(document, o))
            .ToList();
        Assert.Equal(RequestBodyTests.JsonBodyReaders(world.Broker).Keys.Order(StringComparer.Ordinal), described);

        var before = await RejectionsAsync(admin);
        foreach (var operation in described)
        {
            var (method, path) = PublishedDocument.Split(operation);
            var caller = OnlyWorkloads(document, method, path) ? runner : admin;
            using var content = new StringContent("{}", Encoding.UTF8, "text/plain");

            using var response = await caller.SendAsync(method, path.Replace("{id}", "abc", StringComparison.Ordinal).Replace("{name}", "orders-db", StringComparison.Ordinal), content);

            await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }

        Assert.Equal(before + described.Count, await RejectionsAsync(admin));
    }

    [Fact]
    public async Task The_described_introspection_form_sent_as_json_gets_the_brokers_own_unsupported_media_type()
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();

        using var response = await anonymous.PostAsync("/v1/introspect", new StringContent("""{"token":"x"}""", Encoding.UTF8, "application/json"));

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    private static bool DescribesContractBody(System.Text.Json.Nodes.JsonObject document, string operation)
    {
        var (method, path) = PublishedDocument.Split(operation);
        return PublishedDocument.Operation(document, method, path)["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] is not null;
    }

    private static bool OnlyWorkloads(System.Text.Json.Nodes.JsonObject document, string method, string path) =>
        PublishedDocument.Operation(document, method, path)["security"]?.AsArray()
            .SelectMany(r => r!.AsObject().Select(s => s.Key))
            .All(s => s == "workloadToken") ?? false;

    private static async Task<int> RejectionsAsync(HttpClient admin)
    {
        var page = await admin.GetFromJsonAsync<AuditPage>("/v1/audit?limit=1000");
        return page!.Events.Count(e => e.Decision == "rejected" && e.Reason == "unsupported_media_type");
    }
}
