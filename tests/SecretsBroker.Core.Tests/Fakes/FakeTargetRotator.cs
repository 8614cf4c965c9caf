using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>A target that accepts one password at a time, and can be made to fail or "crash" at each step of a rotation.</summary>
internal sealed class FakeTargetRotator(string password) : ISecretRotator
{
    private int generated;

    public string Password { get; private set; } = password;

    public bool RefuseChange { get; set; }

    /// <summary>The process dies right after the target changed its password (before the broker hears back).</summary>
    public bool CrashAfterChange { get; set; }

    /// <summary>
    /// The process dies while its change waits at the target (on a lock): the target still holds the
    /// change and makes it when <see cref="ReleaseLock"/> is called, unless the attempt was ended first.
    /// </summary>
    public bool CrashWhileChangeWaits { get; set; }

    /// <summary>The change answers with no confirmation (a dropped connection) and is made anyway.</summary>
    public bool ChangeUnconfirmed { get; set; }

    public bool VerificationFails { get; set; }

    /// <summary>The attempts <see cref="EndAttemptAsync"/> was asked to end.</summary>
    public List<string> Ended { get; } = [];

    private (string Attempt, string Password)? waiting;

    public string SecretType => "generic";

    public IReadOnlyDictionary<string, string> NextFields(IReadOnlyDictionary<string, string> current) =>
        new Dictionary<string, string>(current) { ["password"] = $"rotated-{++generated}" };

    public Task<TargetChange> ApplyAsync(string attempt, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> replacement, CancellationToken ct)
    {
        if (RefuseChange || current["password"] != Password)
        {
            return Task.FromResult(TargetChange.NotMade);
        }

        if (CrashWhileChangeWaits)
        {
            waiting = (attempt, replacement["password"]);
            throw new OperationCanceledException("the broker process died");
        }

        Password = replacement["password"];
        if (CrashAfterChange)
        {
            throw new OperationCanceledException("the broker process died");
        }

        return Task.FromResult(ChangeUnconfirmed ? TargetChange.Unknown : TargetChange.Made);
    }

    public Task<bool> EndAttemptAsync(string attempt, IReadOnlyDictionary<string, string> login, CancellationToken ct)
    {
        Ended.Add(attempt);
        if (waiting?.Attempt == attempt)
        {
            waiting = null;
        }

        return Task.FromResult(login["password"] == Password);
    }

    /// <summary>Whoever held the lock lets go: a change still waiting is made.</summary>
    public void ReleaseLock()
    {
        if (waiting is { } change)
        {
            Password = change.Password;
            waiting = null;
        }
    }

    public Task<bool> CanLogInAsync(IReadOnlyDictionary<string, string> fields, CancellationToken ct) =>
        Task.FromResult(!VerificationFails && fields["password"] == Password);
}
