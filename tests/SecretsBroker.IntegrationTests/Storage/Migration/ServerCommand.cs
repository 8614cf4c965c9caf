using System.Diagnostics;

namespace SecretsBroker.IntegrationTests.Storage.Migration;

/// <summary>What one run of the server binary printed, and how it ended.</summary>
internal sealed record ServerRun(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>The server binary built beside the tests, run to its end as an operator runs it from a shell.</summary>
internal static class ServerCommand
{
    /// <summary>Runs <c>dotnet SecretsBroker.Server.dll</c> with <paramref name="args"/>; a run that never ends is killed and fails the test.</summary>
    public static async Task<ServerRun> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SecretsBroker.Server.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The master key is the data folder's key file, never one this test process happens to carry.
        start.Environment.Remove("SECRETSBROKER_MASTER_KEY");
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"The server did not end by itself:\n{await stdout}{await stderr}");
        }

        return new ServerRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary><c>migrate-store</c> on <paramref name="dataDirectory"/>, with the target's connection string in an owner-only file.</summary>
    public static async Task<ServerRun> MigrateStoreAsync(string dataDirectory, string connectionString, string schema)
    {
        var file = Path.Combine(Path.GetTempPath(), "sb-target-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, connectionString);
        try
        {
            return await RunAsync("migrate-store", "--to-file", file, "--schema", schema, $"--Broker:DataDirectory={dataDirectory}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
