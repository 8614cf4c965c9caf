using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>
/// The options of a command group authenticated by a CI job's OIDC token (<c>lease</c>, <c>run</c>),
/// recursive so the group's subcommands all take them.
/// </summary>
internal sealed class WorkloadTokenOptions
{
    public Option<string> File { get; } = new("--oidc-token-file")
    {
        Description = $"File holding the CI job's OIDC token [env: {WorkloadToken.TokenVariable} (the token itself) or {WorkloadToken.TokenFileVariable}]",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string> Audience { get; } = new("--audience")
    {
        Description = $"The broker's audience, for the OIDC token sbctl asks GitHub Actions for when none is given [env: {WorkloadToken.AudienceVariable}]",
        HelpName = "AUDIENCE",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Audience);
    }
}
