using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Why a workload token was refused. Every refusal is one error code, <c>workload_token_invalid</c>;
/// the message starts with the reason (<c>expired: …</c>) for the people reading it. Messages never
/// repeat the token or any of its claims.
/// </summary>
internal static class WorkloadTokenRejection
{
    public const string Malformed = "malformed";
    public const string TokenTooLarge = "token_too_large";
    public const string UntrustedIssuer = "untrusted_issuer";
    public const string AlgorithmNotAllowed = "algorithm_not_allowed";
    public const string UnknownKey = "unknown_key";
    public const string KeysUnavailable = "keys_unavailable";
    public const string BadSignature = "bad_signature";
    public const string WrongAudience = "wrong_audience";
    public const string WrongIssuer = "wrong_issuer";
    public const string Expired = "expired";
    public const string NotYetValid = "not_yet_valid";
    public const string MissingExpiry = "missing_exp";
    public const string InvalidLifetime = "invalid_lifetime";
    public const string MissingSubject = "missing_subject";
    public const string MissingRunClaim = "missing_run_claim";
    public const string Invalid = "invalid";

    public static BrokerError Error(string reason, string explanation) =>
        new(ErrorCodes.WorkloadTokenInvalid, $"{reason}: {explanation}", ErrorKind.Unauthenticated);

    /// <summary>The reason at the start of a refusal's message, or null for any other error.</summary>
    public static string? ReasonOf(BrokerError? error) =>
        error is { Code: ErrorCodes.WorkloadTokenInvalid } && error.Message.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon
            ? error.Message[..colon]
            : null;
}
