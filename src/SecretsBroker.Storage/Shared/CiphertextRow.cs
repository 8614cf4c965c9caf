namespace SecretsBroker.Storage.Shared;

/// <summary>The current version's number and value, as Dapper reads it; the value is null once erased.</summary>
internal sealed class CiphertextRow
{
    public int Version { get; init; }

    public string? Ciphertext { get; init; }
}
