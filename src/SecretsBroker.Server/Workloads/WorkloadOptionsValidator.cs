using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Workloads;

/// <summary>Checks the <c>Workloads</c> section at start; every message names the key to fix.</summary>
internal sealed class WorkloadOptionsValidator : IValidateOptions<WorkloadOptions>
{
    public const int MaxClockSkewSeconds = 300;

    public ValidateOptionsResult Validate(string? name, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        const string section = WorkloadOptions.Section;

        if (options.ClockSkewSeconds is < 0 or > MaxClockSkewSeconds)
        {
            problems.Add($"{section}:ClockSkewSeconds must be between 0 and {MaxClockSkewSeconds}.");
        }

        if (options.MaxTokenBytes is < 1024 or > 65536)
        {
            problems.Add($"{section}:MaxTokenBytes must be between 1024 and 65536.");
        }

        if (options.JwksRefreshSeconds is < 10 or > 86400)
        {
            problems.Add($"{section}:JwksRefreshSeconds must be between 10 and 86400.");
        }

        if (options.UnknownKeyRefreshSeconds is < 1 or > 3600)
        {
            problems.Add($"{section}:UnknownKeyRefreshSeconds must be between 1 and 3600.");
        }

        for (var i = 0; i < options.Issuers.Count; i++)
        {
            CheckIssuer($"{section}:Issuers:{i}", options.Issuers[i], problems);
        }

        SignedTokenIssuerChecks.Duplicates(section, options.Issuers, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckIssuer(string key, TrustedIssuerOptions issuer, List<string> problems)
    {
        SignedTokenIssuerChecks.Check(key, issuer, problems);

        if (WorkloadDialect.Find(issuer.Dialect) is null)
        {
            problems.Add($"{key}:Dialect must be one of: {string.Join(", ", WorkloadDialect.All.Select(d => d.Name))}.");
        }

        if (issuer.RunClaim is { } run && string.IsNullOrWhiteSpace(run))
        {
            problems.Add($"{key}:RunClaim must not be blank; remove it to use the dialect's.");
        }

        if (issuer.JobClaim is { } job && string.IsNullOrWhiteSpace(job))
        {
            problems.Add($"{key}:JobClaim must not be blank; remove it to use the dialect's.");
        }

        if (issuer.ProjectClaim is { } project && string.IsNullOrWhiteSpace(project))
        {
            problems.Add($"{key}:ProjectClaim must not be blank; remove it to use the dialect's.");
        }

        if (issuer.Webhook is { } webhook)
        {
            CheckWebhook($"{key}:Webhook", webhook, problems);
        }
    }

    /// <summary>The secret file must hold a secret worth the name; the message never quotes it.</summary>
    private static void CheckWebhook(string key, WebhookOptions webhook, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(webhook.SecretFile))
        {
            problems.Add($"{key}:SecretFile must name the file holding the webhook's secret.");
            return;
        }

        if (WebhookSecret.Read(webhook.SecretFile) is not { } secret)
        {
            problems.Add($"{key}:SecretFile {webhook.SecretFile} cannot be read.");
        }
        else if (secret.Length < WebhookSecret.MinLength)
        {
            problems.Add($"{key}:SecretFile {webhook.SecretFile} must hold at least {WebhookSecret.MinLength} characters.");
        }
    }
}
