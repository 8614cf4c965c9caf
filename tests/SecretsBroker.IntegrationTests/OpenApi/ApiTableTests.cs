using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>README.md's HTTP API table and the served OpenAPI document name the same operations, both ways.</summary>
public sealed class ApiTableTests
{
    [Fact]
    public async Task Every_documented_operation_is_in_the_README_table_and_every_table_row_is_documented()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var described = PublishedDocument.Operations(document);
        var table = ReadmeApiTable.Operations();

        // The document does not describe its own address; the table lists it for readers.
        table.Remove($"GET {PublishedDocument.Path}");

        Assert.True(described.Count > 20, $"the document describes only {described.Count} operations");
        Assert.Empty(described.Except(table));
        Assert.Empty(table.Except(described));
    }

    [Fact]
    public async Task The_jobs_dashboard_is_not_described_as_an_API()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        Assert.DoesNotContain(PublishedDocument.Operations(document), o => o.Contains(ReadmeApiTable.Dashboard, StringComparison.Ordinal));
    }
}
