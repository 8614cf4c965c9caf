using System.Net;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.Naming;

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

        Duplicates(options.Issuers.Select(i => i.Name), "Name", problems);
        Duplicates(options.Issuers.Select(i => i.Issuer), "Issuer", problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckIssuer(string key, TrustedIssuerOptions issuer, List<string> problems)
    {
        if (ResourceName.Check(issuer.Name, "issuer name") is { } badName)
        {
            problems.Add($"{key}:Name: {badName.Message}");
        }

        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            problems.Add($"{key}:Issuer is required: the exact 'iss' of the platform's tokens.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Audience))
        {
            problems.Add($"{key}:Audience is required: the exact 'aud' the CI jobs ask for.");
        }

        var unsupported = issuer.Algorithms.Where(a => !SigningAlgorithms.IsSupported(a)).ToList();
        if (unsupported.Count > 0)
        {
            problems.Add($"{key}:Algorithms may hold only {string.Join(" and ", SigningAlgorithms.Supported)}, not {string.Join(", ", unsupported)}.");
        }

        var hasFile = !string.IsNullOrWhiteSpace(issuer.JwksFile);
        var hasUrl = !string.IsNullOrWhiteSpace(issuer.JwksUrl);
        if (hasFile == hasUrl)
        {
            problems.Add($"{key}:JwksFile and {key}:JwksUrl: set exactly one.");
        }
        else if (hasFile && !File.Exists(issuer.JwksFile))
        {
            problems.Add($"{key}:JwksFile: no such file {issuer.JwksFile}.");
        }
        else if (hasUrl && CheckUrl(issuer.JwksUrl!) is { } badUrl)
        {
            problems.Add($"{key}:JwksUrl {badUrl}");
        }

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
    }

    /// <summary>Plain http would let anyone on the path swap the keys; it is allowed to a loopback address only.</summary>
    private static string? CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute https URL.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry credentials.";
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
        return uri.Scheme == Uri.UriSchemeHttp && !loopback ? "must use https (plain http is allowed to a loopback address only)." : null;
    }

    private static void Duplicates(IEnumerable<string?> values, string field, List<string> problems)
    {
        var firstAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value) && !firstAt.TryAdd(value, index))
            {
                problems.Add($"{WorkloadOptions.Section}:Issuers:{index}:{field} is already used by {WorkloadOptions.Section}:Issuers:{firstAt[value]}.");
            }

            index++;
        }
    }
}
