using System.Net;
using SecretsBroker.Core.Secrets;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>The API's shape does not depend on the master key, so a sealed broker still describes it.</summary>
public sealed class SealedDocumentTests
{
    [Fact]
    public async Task A_sealed_broker_serves_the_same_document_and_still_refuses_the_api_itself()
    {
        await using var first = await TestBroker.StartAsync();
        var (_, unsealed) = await PublishedDocument.FetchAsync(first);

        await using var sealedBroker = await first.RestartAsync(new TestBrokerOptions { MasterKeyBase64 = MasterKey.Generate().ToBase64() });
        Assert.True(sealedBroker.IsSealed);

        var (_, whileSealed) = await PublishedDocument.FetchAsync(sealedBroker);
        Assert.Equal(PublishedDocument.Operations(unsealed), PublishedDocument.Operations(whileSealed));
        Assert.NotNull(PublishedDocument.Operation(whileSealed, "POST", "/v1/leases")["requestBody"]);

        using var anonymous = sealedBroker.Client();
        foreach (var path in new[] { "/v1/secrets", "/openapi/v2.json", "/openapi/v1.json/" })
        {
            using var refused = await anonymous.GetAsync(path);
            await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "broker_sealed");
        }
    }
}
