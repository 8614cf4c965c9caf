using NodaTime;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Workloads;

/// <summary>Where one trusted issuer's signing keys come from, kept fresh and kept at the last good set when a refresh fails.</summary>
internal abstract class JwksSource : IDisposable
{
    /// <summary>"JWKS file" or "JWKS URL", for log lines (the path or URL itself is configuration, not logged per event).</summary>
    public abstract string Kind { get; }

    /// <summary>The current key set, refreshed first when it is due; null when no good key set was ever loaded.</summary>
    public abstract ValueTask<JwksKeySet?> CurrentAsync(CancellationToken ct);

    /// <summary>A token named a key id the current set lacks: look again now, unless that was done too recently.</summary>
    public abstract ValueTask<JwksKeySet?> RefreshForUnknownKeyAsync(CancellationToken ct);

    /// <summary>The source an issuer's settings name: its JWKS file, else its JWKS URL (the options validator has checked them).</summary>
    public static JwksSource For(SignedTokenIssuerOptions issuer, WorkloadOptions timing, IClock clock, IHttpClientFactory http, JwksFigures.Issuer figures, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(timing);
        var refresh = Duration.FromSeconds(timing.JwksRefreshSeconds);
        return string.IsNullOrWhiteSpace(issuer.JwksFile)
            ? new JwksUrlSource(issuer.Name!, new Uri(issuer.JwksUrl!), refresh, Duration.FromSeconds(timing.UnknownKeyRefreshSeconds), clock, http, figures, logger)
            : new JwksFileSource(issuer.Name!, issuer.JwksFile, refresh, clock, figures, logger);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
