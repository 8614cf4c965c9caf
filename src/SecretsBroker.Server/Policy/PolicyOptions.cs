using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Policy;

/// <summary>The <c>Policy</c> configuration section: where the policy file is and how changes to it are noticed.</summary>
public sealed class PolicyOptions
{
    public const string Section = "Policy";

    /// <summary>
    /// The YAML policy file (relative paths are taken from the working directory). Unset, the broker
    /// runs with an empty policy and denies every lease.
    /// </summary>
    public string? File { get; set; }

    /// <summary>
    /// How often the file is read again in case a change went unreported: file-system events are
    /// missed on network file systems and when a Kubernetes ConfigMap swaps the link above the file.
    /// </summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Whether to react to file-system events at once; off, changes are found by polling alone.</summary>
    public bool WatchEvents { get; set; } = true;

    /// <summary>The file's full path, or null when no file is configured.</summary>
    public string? FullPath => string.IsNullOrWhiteSpace(File) ? null : Path.GetFullPath(File);
}
