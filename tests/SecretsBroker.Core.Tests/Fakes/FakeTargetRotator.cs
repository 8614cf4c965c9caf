using SecretsBroker.Core.Outcomes;
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

    public bool VerificationFails { get; set; }

    public string SecretType => "generic";

    public IReadOnlyDictionary<string, string> NextFields(IReadOnlyDictionary<string, string> current) =>
        new Dictionary<string, string>(current) { ["password"] = $"rotated-{++generated}" };

    public Task<Result<bool>> ApplyAsync(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> replacement, CancellationToken ct)
    {
        if (RefuseChange || current["password"] != Password)
        {
            return Task.FromResult(Result<bool>.Failure(new BrokerError(ErrorCodes.RotationFailed, "refused", ErrorKind.Upstream)));
        }

        Password = replacement["password"];
        if (CrashAfterChange)
        {
            throw new OperationCanceledException("the broker process died");
        }

        return Task.FromResult(Result<bool>.Success(true));
    }

    public Task<bool> CanLogInAsync(IReadOnlyDictionary<string, string> fields, CancellationToken ct) =>
        Task.FromResult(!VerificationFails && fields["password"] == Password);
}
