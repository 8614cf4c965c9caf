using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>The options that say where a credential goes: <c>--format</c>, <c>--env-file</c> and <c>--lease-id-file</c>.</summary>
internal sealed class CredentialTargetOptions
{
    public Option<string> Format { get; } = CredentialOutput.CreateFormatOption(withCiRunnerFormats: true);

    public Option<string> EnvFile { get; } = new("--env-file")
    {
        Description = $"With --format {CredentialOutput.GitLab}: the new file (mode 0600) that receives the export lines; it must not exist",
        HelpName = "FILE",
    };

    public Option<string> LeaseIdFile { get; } = new("--lease-id-file")
    {
        Description = "Also write the lease id to FILE (mode 0600), for a later step that renews or revokes it",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(EnvFile);
        command.Options.Add(LeaseIdFile);
    }
}
