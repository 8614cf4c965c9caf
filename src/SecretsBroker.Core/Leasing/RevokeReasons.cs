namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Why a lease was ended, as stored on it and shown to readers: stable, because clients and
/// operators branch on them. Every store writes these and no others.
/// </summary>
public static class RevokeReasons
{
    public const string Expired = "expired";
    public const string RevokedByCaller = "revoked_by_caller";
    public const string RunCompleted = "run_completed";
    public const string IdentityRevoked = "identity_revoked";
    public const string IdentityBlocked = "identity_blocked";
    public const string MintFailed = "mint_failed";
    public const string ReconciledIssuing = "reconciled_issuing";
}
