using NodaTime;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Keys fetched from the issuer's JWKS URL and cached. The set is fetched again every refresh interval
/// (one caller fetches while the others go on with the cached keys) and when a token names an unknown
/// key id, at most once per <c>UnknownKeyRefreshSeconds</c>, so a rotated key is picked up without a
/// restart but made-up key ids cannot turn the broker into a flood against the issuer. A failed fetch
/// keeps the last good keys.
/// </summary>
internal sealed class JwksUrlSource(
    string issuer, Uri url, Duration refresh, Duration unknownKeyRefresh, IClock clock, IHttpClientFactory http, JwksFigures.Issuer figures, ILogger logger) : JwksSource
{
    /// <summary>The named HttpClient: short timeout, response size limit, no redirects (see <see cref="WorkloadsSetup"/>).</summary>
    public const string HttpClientName = "jwks";

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile JwksKeySet? current;

    // Unix ticks of the last fetch attempt, good or bad; long.MinValue before the first.
    private long lastAttempt = long.MinValue;

    public override string Kind => "JWKS URL";

    public override async ValueTask<JwksKeySet?> CurrentAsync(CancellationToken ct)
    {
        var keys = current;
        if (keys is null)
        {
            return await RefreshForUnknownKeyAsync(ct);
        }

        if (!IsDue(refresh))
        {
            return keys;
        }

        // Due for its periodic refresh: whoever gets the gate fetches, everyone else uses the cached keys.
        if (!await gate.WaitAsync(0, ct))
        {
            return keys;
        }

        try
        {
            if (IsDue(refresh))
            {
                await FetchAsync();
            }
        }
        finally
        {
            gate.Release();
        }

        return current;
    }

    public override async ValueTask<JwksKeySet?> RefreshForUnknownKeyAsync(CancellationToken ct)
    {
        if (!IsDue(unknownKeyRefresh))
        {
            return current;
        }

        await gate.WaitAsync(ct);
        try
        {
            // Whoever held the gate before may just have fetched: then its answer stands.
            if (IsDue(unknownKeyRefresh))
            {
                await FetchAsync();
            }
        }
        finally
        {
            gate.Release();
        }

        return current;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gate.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool IsDue(Duration interval)
    {
        var last = Interlocked.Read(ref lastAttempt);
        return last == long.MinValue || clock.GetCurrentInstant() >= Instant.FromUnixTimeTicks(last) + interval;
    }

    /// <summary>Runs under the gate. Not cancelled with the caller: the HttpClient timeout bounds it, and a
    /// fetch abandoned half-way would only use up the refresh allowance.</summary>
    private async Task FetchAsync()
    {
        Interlocked.Exchange(ref lastAttempt, clock.GetCurrentInstant().ToUnixTimeTicks());
        var (keys, problem) = await DownloadAsync();
        var previous = current;
        if (keys is null)
        {
            figures.Failed();
            WorkloadLog.KeysRefreshFailed(logger, issuer, Kind, problem!, previous?.Keys.Count ?? 0);
            return;
        }

        figures.Refreshed();
        if (previous is not null && previous.SameDocumentAs(keys.Fingerprint))
        {
            return;
        }

        current = keys;
        WorkloadLog.KeysLoaded(logger, issuer, Kind, keys.Keys.Count, keys.Skipped);
    }

    private async Task<(JwksKeySet? Keys, string? Problem)> DownloadAsync()
    {
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            return JwksKeySet.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
        }
        catch (HttpRequestException e)
        {
            return (null, e.HttpRequestError == HttpRequestError.Unknown ? "request failed" : $"request failed: {e.HttpRequestError}");
        }
        catch (TaskCanceledException)
        {
            return (null, "timed out");
        }
    }
}
