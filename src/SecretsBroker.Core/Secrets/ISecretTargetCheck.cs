using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Checks, when a root secret of one type is stored, that the credential it holds can do at its
/// target everything the broker will ask of it (a PostgreSQL admin's own privileges), so a missing
/// privilege is named when the operator stores the secret, not at the first revocation.
/// </summary>
public interface ISecretTargetCheck
{
    /// <summary>The secret type this check handles (<c>postgresql-admin</c>).</summary>
    string SecretType { get; }

    /// <summary>
    /// An error naming what the credential lacks, or null when it lacks nothing or the target could
    /// not be asked (unreachable, or the login refused): those fail at first use with their own code.
    /// </summary>
    Task<BrokerError?> CheckAsync(string name, IReadOnlyDictionary<string, string> fields, CancellationToken ct);
}
