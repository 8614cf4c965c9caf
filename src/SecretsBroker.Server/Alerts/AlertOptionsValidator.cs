using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Alerts;

/// <summary>Stops the broker at start on a webhook it could never deliver to, naming the key.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var key = $"{AlertOptions.Section}:Webhooks:{i}";
            if (!names.Add(hook.Name))
            {
                failures.Add($"{key}:Name '{hook.Name}' is used twice.");
            }

            // A justification and an incident travel in the event: https, except to this machine.
            if (hook.Url is not { IsAbsoluteUri: true } url || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            {
                failures.Add($"{key}:Url must be an absolute https URL (http only to a loopback address).");
            }

            if ((hook.SecretFile is null) == (hook.SecretName is null))
            {
                failures.Add($"{key}: set exactly one of SecretFile and SecretName.");
            }
            else if (hook.SecretFile is { } file && (!File.Exists(file) || new FileInfo(file).Length < 16))
            {
                failures.Add($"{key}:SecretFile must name a file holding a key of at least 16 bytes.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
