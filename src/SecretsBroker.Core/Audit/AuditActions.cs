namespace SecretsBroker.Core.Audit;

/// <summary>The names of audited actions: stable, because operators search the trail by them.</summary>
public static class AuditActions
{
    public const string SecretPut = "secret.put";
    public const string SecretDelete = "secret.delete";
    public const string SecretRotate = "secret.rotate";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string LeaseIssue = "lease.issue";
    public const string LeaseRenew = "lease.renew";
    public const string LeaseRevoke = "lease.revoke";
    public const string LeaseExpire = "lease.expire";
    public const string RunComplete = "run.complete";
    public const string LeaseRevokeFailed = "lease.revoke_failed";
    public const string OrphanRemoved = "downstream.orphan_removed";
    public const string PolicyLoad = "policy.load";
    public const string DatabaseBackup = "database.backup";
    public const string IdentityRevoke = "identity.revoke";
    public const string IdentityUnblock = "identity.unblock";
    public const string BreakGlassRequest = "break_glass.request";
    public const string BreakGlassApprove = "break_glass.approve";
    public const string BreakGlassIssue = "break_glass.issue";
    public const string BreakGlassReview = "break_glass.review";
    public const string BreakGlassExpire = "break_glass.expire";
    public const string BreakGlassCollect = "break_glass.collect";
}
