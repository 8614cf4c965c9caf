using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Alerts;

/// <summary>The <c>Alerts</c> settings: webhooks that receive signed break-glass events.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    public List<AlertWebhook> Webhooks { get; set; } = [];

    /// <summary>The wait after a failed delivery before the next; it doubles with each failure up to <see cref="RetryAtMostEverySeconds"/>.</summary>
    [Range(1, 86_400)]
    public int RetryAfterSeconds { get; set; } = 30;

    [Range(1, 86_400)]
    public int RetryAtMostEverySeconds { get; set; } = 3_600;

    /// <summary>How often undelivered alerts that are due again are looked for.</summary>
    [Range(100, 600_000)]
    public int PollIntervalMilliseconds { get; set; } = 5_000;
}

/// <summary>One receiver: its name (for logs and job arguments), its URL, and where its HMAC key is (a file or a root secret).</summary>
public sealed class AlertWebhook
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$")]
    public string Name { get; set; } = "";

    [Required]
    public Uri? Url { get; set; }

    /// <summary>A file holding the shared HMAC key (read at each delivery, so it can be replaced without a restart).</summary>
    public string? SecretFile { get; set; }

    /// <summary>Or a <c>generic</c> root secret in the vault whose <c>key</c> field is the shared HMAC key (set one of the two).</summary>
    public string? SecretName { get; set; }

    /// <summary>The field of <see cref="SecretName"/> holding the key.</summary>
    public const string SecretField = "key";
}
