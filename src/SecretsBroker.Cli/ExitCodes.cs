namespace SecretsBroker.Cli;

/// <summary>The exit codes sbctl promises to scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The broker refused or could not be reached, or the audit trail is broken.</summary>
    public const int Failure = 1;

    /// <summary>The command line or a local input (token file, fields file) is wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted, following the shell's 128 + SIGINT convention.</summary>
    public const int Cancelled = 130;
}
