namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// Settings that bring the lease jobs' clean-up within seconds, so a test sees it happen: the expiry
/// sweep every 200 ms, an <c>issuing</c> row another node left counted stuck after 5 s (the least the
/// setting allows), and a failed downstream revocation retried after 1 to 2 s. The reconciliation that
/// settles stuck rows is on a fixed schedule (every minute), which bounds how long a test waits for it.
/// </summary>
internal static class QuickJobs
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Leases:SweepIntervalMilliseconds"] = "200",
        ["Leases:StuckIssuingAfterSeconds"] = "5",
        ["Leases:FirstRetrySeconds"] = "1",
        ["Leases:MaxRetrySeconds"] = "2",
    };
}
