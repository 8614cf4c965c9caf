using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Metrics;

/// <summary>Stops the broker at start on a metrics listener it could not bind or a token file it could not use, naming the key.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
        foreach (var url in options.ListenUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttp || parsed.AbsolutePath != "/")
            {
                failures.Add($"{MetricsOptions.Section}:Urls: '{url}' must be an absolute http URL with no path (for example http://127.0.0.1:9464).");
            }
        }

        if (options.TokenFile is { } file && (!File.Exists(file) || MetricsToken.Read(file).Length < MetricsToken.MinimumLength))
        {
            failures.Add($"{MetricsOptions.Section}:TokenFile must name a file holding a token of at least {MetricsToken.MinimumLength} characters.");
        }

        if (options.StoreReadCacheSeconds is < 1 or > 300)
        {
            failures.Add($"{MetricsOptions.Section}:StoreReadCacheSeconds must be between 1 and 300.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
