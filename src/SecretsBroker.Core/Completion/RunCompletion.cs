using NodaTime;

namespace SecretsBroker.Core.Completion;

/// <summary>
/// A run or one job of it that a CI platform's webhook reported finished: which issuer's run, in which
/// repository or project, and (for a job event) which job, with the delivery that said so and when the
/// broker received it. <see cref="BodyDigest"/> is the SHA-256 of the delivery's raw body, so a signed body
/// sent again under another delivery id is recognized as the same delivery.
/// </summary>
public sealed record RunCompletion(string Issuer, string Project, string RunId, string? JobId, string Event, string Delivery, string BodyDigest, Instant At)
{
    /// <summary>How the completion appears as an audit target.</summary>
    public string Target => JobId is null ? $"run:{Issuer}/{Project}/{RunId}" : $"run:{Issuer}/{Project}/{RunId}/job:{JobId}";
}
