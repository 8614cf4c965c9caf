namespace SecretsBroker.Server.Metrics;

/// <summary>Why leases ended, as the <c>cause</c> label of <c>secretsbroker_lease_revocations_total</c>.</summary>
public static class RevocationCauses
{
    public const string Expiry = "expiry";
    public const string RunCompletion = "run_completion";
    public const string Webhook = "webhook";
    public const string IdentityRevoke = "identity_revoke";
    public const string Manual = "manual";
}
