namespace SecretsBroker.Core.Secrets;

/// <summary>
/// A short, stable id of this broker installation, derived from its master key, so every node of
/// one installation shares it and another installation never does. Downstream names carry it: two
/// brokers sharing a PostgreSQL server each see, and clean up, only their own roles.
/// </summary>
public sealed class BrokerInstance(Func<MasterKey> masterKey)
{
    private readonly Lazy<string> id = new(() => Convert.ToHexStringLower(masterKey().Derive("instance-id/v1", 4)));

    /// <summary>Eight lower-case hex characters.</summary>
    public string Id => id.Value;
}
