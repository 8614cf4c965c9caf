using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Shared;

/// <summary>The parameters of an identity revocation's statements, named as both dialects' SQL binds them.</summary>
internal static class RevocationParameters
{
    /// <summary>For the statement that ends the target's live leases (<c>@ClaimName</c> and <c>@ClaimValue</c> select by claim).</summary>
    public static object Leases(IdentityRevocation revocation, string? claimPath = null) => new
    {
        revocation.Target.Issuer,
        revocation.Target.Subject,
        revocation.Target.ClaimName,
        revocation.Target.ClaimValue,
        Path = claimPath,
        Reason = revocation.LeaseReason,
        Now = revocation.At,
        RevocationId = revocation.Id,
    };

    /// <summary>For <see cref="IdentitySql.InsertRevocation"/>, with the number of leases it ended.</summary>
    public static object Row(IdentityRevocation revocation, int total) => new
    {
        revocation.Id,
        revocation.Target.Issuer,
        revocation.Target.Subject,
        revocation.Target.ClaimName,
        revocation.Target.ClaimValue,
        revocation.Reason,
        Blocked = revocation.Block is not null,
        Total = total,
        revocation.At,
    };

    /// <summary>For <see cref="IdentitySql.UpsertBlock"/>.</summary>
    public static object Block(IdentityTarget target, BlockRule block) => new
    {
        target.RuleKey,
        target.Issuer,
        target.Subject,
        target.ClaimName,
        target.ClaimValue,
        block.Reason,
        block.RevocationId,
        block.At,
    };
}
