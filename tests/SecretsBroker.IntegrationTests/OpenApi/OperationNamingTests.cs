using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>Every operation can be called by name from a generated client, and says what it does.</summary>
public sealed class OperationNamingTests
{
    [Fact]
    public async Task Every_operation_has_a_unique_operation_id_and_a_summary()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var operation in PublishedDocument.Operations(document))
        {
            var (method, path) = PublishedDocument.Split(operation);
            var described = PublishedDocument.Operation(document, method, path);
            var id = (string?)described["operationId"];
            Assert.False(string.IsNullOrWhiteSpace(id), $"{operation} has no operationId");
            Assert.True(ids.TryAdd(id, operation), $"{operation} and {ids.GetValueOrDefault(id)} share the operationId '{id}'");
            Assert.False(string.IsNullOrWhiteSpace((string?)described["summary"]), $"{operation} has no summary");
        }

        Assert.True(ids.Count > 20, $"only {ids.Count} operations were checked");
        Assert.Equal("POST /v1/leases", ids["IssueLease"]);
        Assert.Equal("POST /v1/introspect", ids["IntrospectToken"]);
    }
}
