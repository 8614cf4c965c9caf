namespace SecretsBroker.Server.Alerts;

/// <summary>Alert delivery log lines: ids and status codes, never a body or key.</summary>
internal static partial class AlertLog
{
    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Alert {Kind} for break-glass {RequestId} delivered to webhook {Webhook}")]
    public static partial void Delivered(ILogger logger, string kind, string webhook, string requestId);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Alert for break-glass {RequestId} not delivered to webhook {Webhook}: it answered {Status}; retrying")]
    public static partial void DeliveryFailed(ILogger logger, string webhook, string requestId, int status);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Alert for webhook {Webhook} dropped: no such webhook is configured any more")]
    public static partial void UnknownWebhook(ILogger logger, string webhook);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Break-glass sweep: {Expired} requests expired unapproved, {Reminded} review reminders raised")]
    public static partial void Swept(ILogger logger, int expired, int reminded);
}
