using System.CommandLine;
using NodaTime;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Storage.Migration;

namespace SecretsBroker.Server.Migration;

/// <summary>
/// <c>SecretsBroker.Server migrate-store</c>: the offline move of the embedded store into PostgreSQL,
/// with the settings, data folder and master key the broker itself would start with. Any other
/// <c>--Key=value</c> on the line is a broker setting, as on a normal start.
/// </summary>
internal static class MigrateStoreCommand
{
    public const string Name = "migrate-store";
    public const string DefaultSchema = "secretsbroker";

    private const int Moved = 0;
    private const int Failed = 1;
    private const int Usage = 2;

    public static Task<int> RunAsync(string[] args)
    {
        var to = new Option<string>("--to") { Description = "The target's connection string. Other local users can read a process's arguments: prefer --to-file." };
        var toFile = new Option<FileInfo>("--to-file") { Description = "A file holding the target's connection string (keep it owner-only)." };
        var schema = new Option<string>("--schema") { Description = "The target schema, owned by the broker's login", DefaultValueFactory = _ => DefaultSchema };
        var command = new Command(Name, "Copy the embedded store into an empty PostgreSQL store, verify it, and mark the embedded store as moved. Run it with the broker stopped.")
        {
            to,
            toFile,
            schema,
        };

        // What the command does not know are broker settings (--Broker:DataDirectory=...), handed to the configuration.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => MoveAsync(parse.GetValue(to), parse.GetValue(toFile), parse.GetValue(schema) ?? DefaultSchema, [.. parse.UnmatchedTokens], ct));
        return new RootCommand("SecretsBroker.Server") { command }.Parse(args).InvokeAsync();
    }

    private static async Task<int> MoveAsync(string? to, FileInfo? toFile, string schema, string[] settings, CancellationToken ct)
    {
        if ((to is null) == (toFile is null))
        {
            await Console.Error.WriteLineAsync($"error: name the target with --to or --to-file, one of them. See '{Name} --help'.");
            return Usage;
        }

        var connectionString = to ?? await ReadConnectionStringAsync(toFile!, ct);
        if (connectionString is null)
        {
            return Usage;
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("error: the target connection string is empty.");
            return Usage;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings, ContentRootPath = AppContext.BaseDirectory });
        builder.AddBrokerHosting();
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<BrokerOptions>();
        var (key, problem) = app.Services.GetRequiredService<MasterKeySource>().Read();
        if (key is null)
        {
            await Console.Error.WriteLineAsync($"error: {problem}");
            return Failed;
        }

        if (!Directory.Exists(options.DataDirectory))
        {
            await Console.Error.WriteLineAsync($"error: there is no data folder {Path.GetFullPath(options.DataDirectory)}.");
            return Failed;
        }

        return await MoveHoldingFolderAsync(options, key, connectionString, schema, app.Services.GetRequiredService<IClock>(), ct);
    }

    /// <summary>
    /// The data folder's lock is held for the whole move: a running broker makes the command stop here,
    /// and a broker started during the copy cannot write what the copy would miss.
    /// </summary>
    private static async Task<int> MoveHoldingFolderAsync(BrokerOptions options, MasterKey key, string connectionString, string schema, IClock clock, CancellationToken ct)
    {
        FileStream folder;
        try
        {
            folder = BrokerNode.Lock(Path.Combine(options.DataDirectory, BrokerNode.LockFileName), options.DataDirectory);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message} Stop the broker before moving its store.");
            return Failed;
        }

        await using (folder)
        {
            return await EmbeddedStoreMove.RunAsync(options.DatabasePath, connectionString, schema, key, clock, Console.Out, Console.Error, ct) ? Moved : Failed;
        }
    }

    /// <summary>The file's connection string, or null (the reason printed) when it cannot be had.</summary>
    private static async Task<string?> ReadConnectionStringAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"error: the connection string file {file.FullName} does not exist.");
            return null;
        }

        try
        {
            return (await File.ReadAllTextAsync(file.FullName, ct)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: the connection string file {file.FullName} cannot be read ({e.GetType().Name}).");
            return null;
        }
    }
}
