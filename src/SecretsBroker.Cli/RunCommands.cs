using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl run …</c>: the end of a CI run revokes every lease it holds.</summary>
internal static class RunCommands
{
    /// <summary>Shown after the help of <c>sbctl run</c> and its subcommands.</summary>
    public const string Notes = $"""
        {WorkloadToken.PlatformHelp}
        An operator token (--token, --token-file) works too, with --issuer naming the run's CI platform.
        """;

    public static Command Create(CommandContext context)
    {
        var tokenOptions = new WorkloadTokenOptions();
        var command = new Command("run", "Finish CI runs: revoke every lease a run holds")
        {
            Complete(context, tokenOptions),
        };
        tokenOptions.AddTo(command);
        return command;
    }

    private static Command Complete(CommandContext context, WorkloadTokenOptions tokenOptions)
    {
        var id = new Argument<string>("ID") { Description = "The run's id, as its leases were issued with (--run)" };
        var issuer = new Option<string>("--issuer")
        {
            Description = "With an operator token: the trusted issuer (CI platform) the run belongs to, as the broker's configuration names it",
            HelpName = "NAME",
        };
        var command = new Command("complete", "Mark a run finished: the broker revokes every lease of the run") { id, issuer };
        context.SetWorkloadAction(command, tokenOptions, WorkloadToken.Use.OrOperator, async (parse, broker, output, cancellationToken) =>
        {
            var issuerName = parse.GetValue(issuer);
            // A workload completes runs of its own token's issuer (the broker ignores the parameter); an
            // operator must say which platform's run it means, or nothing matches and nothing is revoked.
            if (broker.HasWorkloadToken && issuerName is not null)
            {
                throw CommandFailedException.Usage("issuer_not_allowed", "--issuer is for operator tokens: an OIDC token completes a run of its own issuer");
            }

            if (!broker.HasWorkloadToken && string.IsNullOrWhiteSpace(issuerName))
            {
                throw CommandFailedException.Usage("missing_issuer", "with an operator token, name the run's issuer with --issuer NAME");
            }

            var completion = await broker.CompleteRunAsync(parse.GetRequiredValue(id), issuerName, cancellationToken);
            if (output.IsJson)
            {
                output.Json(completion);
            }
            else
            {
                output.Line($"run {completion.Run} complete: {completion.Revoked} lease{(completion.Revoked == 1 ? "" : "s")} revoked");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
