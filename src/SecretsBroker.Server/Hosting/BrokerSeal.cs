using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// Whether the broker holds the right master key. Until it does, it serves nothing but its health
/// endpoints, and nothing reads or writes protected data.
/// </summary>
public sealed class BrokerSeal
{
    private MasterKey? masterKey;

    public bool IsSealed => masterKey is null;

    /// <summary>Why the broker is sealed, for operators: names files and settings, never key material.</summary>
    public string Reason { get; private set; } = "The broker has not started yet.";

    public MasterKey MasterKey => masterKey ?? throw new InvalidOperationException("The broker is sealed.");

    internal void Unseal(MasterKey key) => masterKey = key;

    internal void KeepSealed(string reason) => Reason = reason;
}
