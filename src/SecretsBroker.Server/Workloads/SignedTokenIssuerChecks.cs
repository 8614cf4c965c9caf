using System.Net;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Naming;

namespace SecretsBroker.Server.Workloads;

/// <summary>The checks every trusted OIDC issuer's settings get at start; each message names the key to fix.</summary>
internal static class SignedTokenIssuerChecks
{
    public static void Check(string key, SignedTokenIssuerOptions issuer, List<string> problems)
    {
        if (ResourceName.Check(issuer.Name, "issuer name") is { } badName)
        {
            problems.Add($"{key}:Name: {badName.Message}");
        }
        else if (issuer.Name == BreakGlassService.Issuer)
        {
            // Break-glass leases belong to this issuer: a platform under the same name could own them.
            problems.Add($"{key}:Name '{BreakGlassService.Issuer}' is reserved for break-glass leases.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            problems.Add($"{key}:Issuer is required: the exact 'iss' of the platform's tokens.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Audience))
        {
            problems.Add($"{key}:Audience is required: the exact 'aud' of the tokens meant for this broker.");
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
    }

    /// <summary>Two issuers with one name or one <c>iss</c> would make tokens ambiguous.</summary>
    public static void Duplicates(string section, IReadOnlyList<SignedTokenIssuerOptions> issuers, List<string> problems)
    {
        Duplicates(section, issuers.Select(i => i.Name), "Name", problems);
        Duplicates(section, issuers.Select(i => i.Issuer), "Issuer", problems);
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

    private static void Duplicates(string section, IEnumerable<string?> values, string field, List<string> problems)
    {
        var firstAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value) && !firstAt.TryAdd(value, index))
            {
                problems.Add($"{section}:Issuers:{index}:{field} is already used by {section}:Issuers:{firstAt[value]}.");
            }

            index++;
        }
    }
}
