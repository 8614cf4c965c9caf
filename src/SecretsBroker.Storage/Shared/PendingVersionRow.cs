using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Shared;

/// <summary>A version written ahead of its secret's current one, as Dapper reads it.</summary>
internal sealed class PendingVersionRow
{
    public string Name { get; init; } = "";

    public string Type { get; init; } = "";

    public int Version { get; init; }

    public string Ciphertext { get; init; } = "";

    public PendingSecretVersion ToPending() => new(Name, Type, Version, Ciphertext);
}
