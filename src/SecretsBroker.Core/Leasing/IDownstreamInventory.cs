using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// A provider that can list what exists downstream under the broker's name (the roles with its
/// prefix in a PostgreSQL target) and remove one, so credentials no lease accounts for — left by a
/// restored backup, a lost database, a bug — are found and removed.
/// </summary>
public interface IDownstreamInventory
{
    /// <summary>The provider's name, as in <see cref="ICredentialProvider.Name"/>.</summary>
    string Provider { get; }

    /// <summary>The root secret type whose targets this inventory lists (<c>postgresql-admin</c>).</summary>
    string SecretType { get; }

    /// <summary>The handles the broker created in the target of <paramref name="secret"/>.</summary>
    Task<Result<IReadOnlyList<string>>> ListHandlesAsync(string secret, CancellationToken ct);

    /// <summary>Removes one handle; removing one that is already gone succeeds.</summary>
    Task<Result<bool>> RemoveAsync(string secret, string handle, CancellationToken ct);
}
