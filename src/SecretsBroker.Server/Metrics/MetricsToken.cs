using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// The scraper's bearer token, read once from <c>Metrics:TokenFile</c>. Compared as SHA-256 digests in
/// constant time, so neither the content nor the length of the token leaks through timing.
/// </summary>
internal sealed class MetricsToken
{
    public const int MinimumLength = 16;

    private readonly byte[]? expected;

    public MetricsToken(IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        expected = options.Value.TokenFile is { } file ? SHA256.HashData(Encoding.UTF8.GetBytes(Read(file))) : null;
    }

    public bool Required => expected is not null;

    public static string Read(string file) => File.ReadAllText(file).Trim();

    /// <summary>True when no token is configured, or the request's <c>Authorization: Bearer</c> carries it.</summary>
    public bool Admits(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (expected is null)
        {
            return true;
        }

        var header = http.Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(value["Bearer ".Length..]));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
