using System.Text;

namespace SecretsBroker.Server.Workloads;

/// <summary>Reads a webhook's secret from its file (<see cref="WebhookOptions.SecretFile"/>); the value never leaves as text.</summary>
internal static class WebhookSecret
{
    /// <summary>Shorter secrets are refused at start: a guessable secret lets anyone end a run's leases.</summary>
    public const int MinLength = 16;

    /// <summary>The trimmed secret, or null when the file cannot be read.</summary>
    public static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The secret's UTF-8 bytes; the options validator has checked the file already.</summary>
    public static byte[] Bytes(string path) => Encoding.UTF8.GetBytes(Read(path) ?? throw new InvalidOperationException($"The webhook secret file {path} cannot be read."));
}
