using Dapper;
using Microsoft.Data.Sqlite;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// A temp folder for brokers run as processes: the data folder, an optional policy file, and reads
/// of the broker's database straight from the file while a process may be running on it.
/// </summary>
internal sealed class ProcessFolder : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "sb-proc-" + Guid.NewGuid().ToString("N"));

    public ProcessFolder(string? policy = null)
    {
        Directory.CreateDirectory(root);
        if (policy is not null)
        {
            File.WriteAllText(PolicyPath, policy);
        }
    }

    public string DataDirectory => Path.Combine(root, "data");

    public string JobStoragePath => Path.Combine(DataDirectory, "jobs.db");

    private string PolicyPath => Path.Combine(root, "policy.yaml");

    /// <summary>The policy file (when there is one) and every part's settings, later parts winning.</summary>
    public Dictionary<string, string?> Settings(params IReadOnlyDictionary<string, string?>[] parts)
    {
        var all = new Dictionary<string, string?>();
        if (File.Exists(PolicyPath))
        {
            all["Policy:File"] = PolicyPath;
        }

        foreach (var (key, value) in parts.SelectMany(p => p))
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>The one stored alert once it has <paramref name="failures"/> failed deliveries, i.e. its retry is scheduled.</summary>
    public Task<(string Id, long Failures, long? DeliveredAt)> WaitForAlertAsync(Func<(string Id, long Failures, long? DeliveredAt), bool> until) =>
        WaitAsync(async db => await db.QuerySingleOrDefaultAsync<(string, long, long?)>("SELECT id, failures, delivered_at FROM alert"), until);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private async Task<T> WaitAsync<T>(Func<SqliteConnection, Task<T>> read, Func<T, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            await using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "broker.db"), Pooling = false }.ToString()))
            {
                await db.OpenAsync(CancellationToken.None);
                var seen = await read(db);
                if (until(seen))
                {
                    return seen;
                }

                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"the broker's database never showed what was waited for (last seen: {seen})");
                }
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
