using System.Diagnostics;
using SecretsBroker.IntegrationTests.Runners;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>
/// The served document passes an OpenAPI 3.1 validator (@readme/openapi-parser, installed by
/// scripts/test.sh with <c>npm ci</c> in validator/). A missing validator fails the test: it is never skipped.
/// </summary>
public sealed class SpecificationValidatorTests
{
    private static string ValidatorFolder => Path.Combine(RepositoryFiles.Root, "tests", "SecretsBroker.IntegrationTests", "OpenApi", "validator");

    [Fact]
    public async Task The_served_document_is_valid_OpenAPI_3_1()
    {
        var parser = Path.Combine(ValidatorFolder, "node_modules", "@readme", "openapi-parser", "package.json");
        Assert.True(File.Exists(parser), $"the OpenAPI validator is not installed: run 'npm ci' in {ValidatorFolder} (scripts/test.sh does)");

        await using var broker = await TestBroker.StartAsync();
        var (text, _) = await PublishedDocument.FetchAsync(broker);
        var file = Path.Combine(broker.DataDirectory, "openapi.json");
        await File.WriteAllTextAsync(file, text);

        var (exitCode, output) = await RunNodeAsync(Path.Combine(ValidatorFolder, "validate.mjs"), file);

        Assert.True(exitCode == 0, $"the validator refused the document (exit {exitCode}):\n{output}");
        Assert.Contains("valid OpenAPI 3.1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_validator_refuses_a_document_that_breaks_the_specification()
    {
        var parser = Path.Combine(ValidatorFolder, "node_modules", "@readme", "openapi-parser", "package.json");
        Assert.True(File.Exists(parser), $"the OpenAPI validator is not installed: run 'npm ci' in {ValidatorFolder} (scripts/test.sh does)");

        var file = Path.Combine(Path.GetTempPath(), $"sb-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"openapi":"3.1.1","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{}}}}}}""");
        try
        {
            var (exitCode, output) = await RunNodeAsync(Path.Combine(ValidatorFolder, "validate.mjs"), file);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("description", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ValidatorFolder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
        await node.WaitForExitAsync(timeout.Token);
        return (node.ExitCode, await stdout + await stderr);
    }
}
