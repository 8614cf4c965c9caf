namespace SecretsBroker.Server.Metrics;

/// <summary>The <c>Metrics</c> section: where <c>/metrics</c> is served and whether a scrape must bring a token.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Addresses (separated by <c>;</c>) of a listener that serves only <c>/metrics</c>, so the figures need not be
    /// exposed where the API is; unset, <c>/metrics</c> is served on the API's own address.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>A file holding the bearer token a scraper must send; unset, <c>/metrics</c> answers anyone who reaches it.</summary>
    public string? TokenFile { get; set; }

    /// <summary>How long figures read from the database (leases by state, sweep lag, audit head) are kept between scrapes.</summary>
    public int StoreReadCacheSeconds { get; set; } = 5;

    internal IReadOnlyList<string> ListenUrls =>
        string.IsNullOrWhiteSpace(Urls) ? [] : Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
