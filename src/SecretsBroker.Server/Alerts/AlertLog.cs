namespace SecretsBroker.Server.Alerts;

/// <summary>Alert delivery log lines: ids, status codes and reasons, never a body or key.</summary>
internal static partial class AlertLog
{
    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Alert {AlertId} ({Kind}) for break-glass {RequestId} delivered to webhook {Webhook}")]
    public static partial void Delivered(ILogger logger, string kind, string webhook, string alertId, string requestId);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Alert {AlertId} not delivered to webhook {Webhook}: it answered {Status}")]
    public static partial void Refused(ILogger logger, string webhook, string alertId, int status);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Alert {AlertId} not delivered to webhook {Webhook}: {Reason}")]
    public static partial void Unreachable(ILogger logger, string webhook, string alertId, string reason);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Break-glass sweep: {Expired} requests expired unapproved, {Settled} interrupted issuances settled, {Reminded} review reminders raised")]
    public static partial void Swept(ILogger logger, int expired, int settled, int reminded);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Alert {AlertId} not delivered to webhook {Webhook}: its key file or root secret is missing or unusable")]
    public static partial void NoKey(ILogger logger, string webhook, string alertId);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Warning, Message = "Alert {AlertId} missed at least one webhook; trying again later")]
    public static partial void RetryLater(ILogger logger, string alertId);

    [LoggerMessage(EventId = 2607, Level = LogLevel.Warning, Message = "Alert {AlertId} raised, but no webhook is configured (Alerts:Webhooks): nobody was told")]
    public static partial void NoWebhook(ILogger logger, string alertId);

    [LoggerMessage(EventId = 2606, Level = LogLevel.Error, Message = "Looking for alerts due again failed; the next poll tries again")]
    public static partial void PollFailed(ILogger logger, Exception exception);
}
