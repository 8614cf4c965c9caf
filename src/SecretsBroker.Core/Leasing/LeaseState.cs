namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Where a lease is in its life (see DESIGN.md): committed as <c>issuing</c> before anything is
/// minted, <c>active</c> once the credential exists, <c>revoking</c> from the instant it is revoked or
/// expires until the provider has removed the credential, then <c>revoked</c>; <c>revoke_failed</c>
/// when removal keeps failing (alerted, and still retried).
/// </summary>
public static class LeaseState
{
    public const string Issuing = "issuing";
    public const string Active = "active";
    public const string Revoking = "revoking";
    public const string Revoked = "revoked";
    public const string RevokeFailed = "revoke_failed";

    /// <summary>What readers see for an <c>active</c> lease past its expiry that the sweep has not reached yet.</summary>
    public const string Expired = "expired";

    /// <summary>Every state a reader may see, and so may filter on.</summary>
    public static IReadOnlyList<string> Seen { get; } = [Issuing, Active, Expired, Revoking, Revoked, RevokeFailed];
}
