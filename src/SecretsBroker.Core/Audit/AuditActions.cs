namespace SecretsBroker.Core.Audit;

/// <summary>The names of audited actions: stable, because operators search the trail by them.</summary>
public static class AuditActions
{
    public const string BrokerInitialize = "broker.initialize";
    public const string SecretPut = "secret.put";
    public const string SecretDelete = "secret.delete";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string PolicyLoad = "policy.load";
}
