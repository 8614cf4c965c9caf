using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Shared;

/// <summary>The parameters of <see cref="SecretSql.Upsert"/> and <see cref="SecretSql.InsertVersion"/> for one version.</summary>
internal static class SecretVersionParameters
{
    public static object Of(SealedSecretVersion version) => new
    {
        version.Name,
        version.Type,
        version.Version,
        FieldNames = string.Join(',', version.FieldNames),
        version.Ciphertext,
        version.CreatedAt,
        version.CreatedBy,
        version.PublicPart,
        RotateEverySeconds = version.RotateEvery is { } every ? (long?)every.TotalSeconds : null,
    };
}
