namespace SecretsBroker.Core.Secrets;

/// <summary>
/// A secret's current version as <see cref="SecretVault.RevealChangedAsync"/> found it: its fingerprint,
/// and its fields unless the caller already held this version (then <see cref="Fields"/> is null).
/// </summary>
public sealed record CurrentSecretVersion(string Fingerprint, IReadOnlyDictionary<string, string>? Fields)
{
    // The fields are secret values: never in a log line or an exception message.
    public override string ToString() => $"CurrentSecretVersion {{ Fingerprint = {Fingerprint} }}";
}
