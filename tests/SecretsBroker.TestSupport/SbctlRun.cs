namespace SecretsBroker.TestSupport;

/// <summary>What one in-process run of sbctl printed and returned.</summary>
public sealed record SbctlRun(int ExitCode, string Stdout, string Stderr);
