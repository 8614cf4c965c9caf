namespace SecretsBroker.Server.Hooks;

/// <summary>Log lines about CI platforms' webhook deliveries: issuer, event, delivery id and counts, never a secret or body.</summary>
internal static partial class HookLog
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Webhook of issuer {Issuer}: {Event} delivery {Delivery} for run {Run}, {Revoked} leases revoked ({Outcome})")]
    public static partial void Received(ILogger logger, string issuer, string @event, string delivery, string run, int revoked, string outcome);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Webhook delivery refused on {Route}: {Code}")]
    public static partial void Refused(ILogger logger, string route, string code);
}
