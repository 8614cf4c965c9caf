using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Alerts;

/// <summary>The <c>Alerts</c> settings: webhooks that receive signed break-glass events.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    public List<AlertWebhook> Webhooks { get; set; } = [];
}

/// <summary>One receiver: its name (for logs and job arguments), its URL, and the file holding its HMAC key.</summary>
public sealed class AlertWebhook
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$")]
    public string Name { get; set; } = "";

    [Required]
    public Uri? Url { get; set; }

    /// <summary>A file holding the shared HMAC key (read at each delivery, so it can be replaced without a restart).</summary>
    [Required]
    public string SecretFile { get; set; } = "";
}
