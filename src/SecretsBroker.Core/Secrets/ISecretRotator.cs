namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Rotates the credential a root secret of one type holds, at its target (a PostgreSQL admin
/// password). One small class per type; the rotation procedure around it is the same for all.
/// </summary>
public interface ISecretRotator
{
    /// <summary>The secret type this rotator handles (<c>postgresql-admin</c>).</summary>
    string SecretType { get; }

    /// <summary>The secret's fields with a newly generated credential in place of the current one.</summary>
    IReadOnlyDictionary<string, string> NextFields(IReadOnlyDictionary<string, string> current);

    /// <summary>
    /// Makes the target accept <paramref name="replacement"/>, logging in with <paramref name="current"/>.
    /// <paramref name="attempt"/> names this attempt at the target (its session carries it), so that
    /// <see cref="EndAttemptAsync"/> can find what is left of it after a crash.
    /// </summary>
    Task<TargetChange> ApplyAsync(string attempt, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> replacement, CancellationToken ct);

    /// <summary>
    /// Ends whatever of <paramref name="attempt"/> is still running at the target (a statement that
    /// a dead process sent, waiting on a lock, which the target would otherwise finish), logging in
    /// with <paramref name="login"/>. True once nothing of it can change the credential any more;
    /// false when that could not be established.
    /// </summary>
    Task<bool> EndAttemptAsync(string attempt, IReadOnlyDictionary<string, string> login, CancellationToken ct);

    /// <summary>True when <paramref name="fields"/> can log in to the target right now.</summary>
    Task<bool> CanLogInAsync(IReadOnlyDictionary<string, string> fields, CancellationToken ct);
}
