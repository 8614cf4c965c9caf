using NodaTime;

namespace SecretsBroker.TestSupport;

/// <summary>How to start a test broker. By default: a fresh temp folder, a generated master key file, a fake clock.</summary>
public sealed record TestBrokerOptions
{
    /// <summary>Reuse a data folder (for restarts); null makes a new temp folder the broker deletes on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Give the master key through SECRETSBROKER_MASTER_KEY instead of the key file.</summary>
    public string? MasterKeyBase64 { get; init; }

    public Instant Start { get; init; } = Instant.FromUtc(2026, 11, 1, 9, 0);

    /// <summary>Any other configuration, e.g. "Broker:MaxRequestBodyBytes".</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}
