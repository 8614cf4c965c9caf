using System.CommandLine;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl lease …</c>: a CI step leases a short-lived credential, and shows, renews or revokes a lease.</summary>
internal static class LeaseCommands
{
    /// <summary>Shown after the help of <c>sbctl lease</c> and its subcommands.</summary>
    public const string Notes = $"""
        'sbctl lease' prints 'export SB_…' lines by default. Capture them before eval, so a failure stops the script:
          creds="$(sbctl lease --role app-db --run "$CI_PIPELINE_ID" --step migrate --purpose schema)" && eval "$creds"
        ('eval "$(sbctl lease …)"' alone succeeds even when sbctl fails.)

        {WorkloadToken.PlatformHelp}
        'show' and 'revoke' also take an operator token (--token, --token-file); issuing and renewing do not.
        """;

    public static Command Create(CommandContext context)
    {
        var tokenOptions = new WorkloadTokenOptions();
        var role = Required("--role", "ROLE", "The role to lease a credential of, as the broker's policy names it");
        var run = Required("--run", "ID", "The CI run (pipeline) the step belongs to; must match the OIDC token's run");
        var step = Required("--step", "STEP", "The step (job) that uses the credential, e.g. migrate");
        var purpose = Required("--purpose", "PURPOSE", "Why the step needs it, e.g. schema; recorded in the audit trail");
        var ttl = TtlParser.CreateOption($"Lifetime: {TtlParser.Examples} (seconds) [default: the role's]");
        var idempotencyKey = new Option<string>("--idempotency-key")
        {
            Description = "Makes a retried command return the lease already issued instead of a second one "
                + "(without it the broker still recognizes a retry by its role, run, step and purpose)",
            HelpName = "KEY",
        };
        var target = new CredentialTargetOptions();
        var command = new Command("lease", "Lease a short-lived credential for a CI step and print it; show, renew and revoke leases")
        {
            role, run, step, purpose, ttl, idempotencyKey,
            Show(context, tokenOptions),
            Renew(context, tokenOptions),
            Revoke(context, tokenOptions),
        };
        target.AddTo(command);
        tokenOptions.AddTo(command);

        context.SetWorkloadAction(command, tokenOptions, WorkloadToken.Use.Required, async (parse, broker, output, cancellationToken) =>
        {
            var key = parse.GetValue(idempotencyKey);
            if (key is not null && (key.Length == 0 || !key.All(c => c is > ' ' and <= '~')))
            {
                // Checked here because HttpClient rejects a bad header value with a message quoting it; the broker checks the rest.
                throw CommandFailedException.Usage("invalid_idempotency_key", "the idempotency key must be printable ASCII without spaces");
            }

            using var destination = CredentialTarget.Open(parse, target, output.IsJson, context.GetEnvironmentVariable);
            var request = new IssueLeaseRequest(
                parse.GetRequiredValue(role), parse.GetRequiredValue(run), parse.GetRequiredValue(step), parse.GetRequiredValue(purpose), parse.GetValue(ttl));
            var issued = await broker.IssueLeaseAsync(request, key, cancellationToken);
            destination.Write(output, issued);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CommandContext context, WorkloadTokenOptions tokenOptions)
    {
        var id = IdArgument();
        var command = new Command("show", "Show a lease: its binding, state and times (never its credential)") { id };
        context.SetWorkloadAction(command, tokenOptions, WorkloadToken.Use.OrOperator, async (parse, broker, output, cancellationToken) =>
        {
            var lease = await broker.GetLeaseAsync(parse.GetRequiredValue(id), cancellationToken);
            if (output.IsJson)
            {
                output.Json(lease);
                return ExitCodes.Success;
            }

            output.Fields(
                ("id", lease.Id),
                ("role", lease.Role),
                ("state", lease.State),
                ("run", lease.Run),
                ("job", lease.Job ?? "-"),
                ("step", lease.Step),
                ("purpose", lease.Purpose),
                ("issued", Output.Time(lease.IssuedAt)),
                ("expires", Output.Time(lease.ExpiresAt)),
                ("max expires", Output.Time(lease.MaxExpiresAt)),
                ("renewable", lease.Renewable ? "yes" : "no"),
                ("revoke reason", lease.RevokeReason ?? "-"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Renew(CommandContext context, WorkloadTokenOptions tokenOptions)
    {
        var id = IdArgument();
        var ttl = TtlParser.CreateOption($"New lifetime from now, up to the lease's max expiry: {TtlParser.Examples} (seconds) [default: the role's]");
        var target = new CredentialTargetOptions();
        var command = new Command("renew", "Extend a lease (with a fresh OIDC token of the job that leased it) and print it as 'sbctl lease' does")
        {
            id, ttl,
        };
        target.AddTo(command);
        context.SetWorkloadAction(command, tokenOptions, WorkloadToken.Use.Required, async (parse, broker, output, cancellationToken) =>
        {
            using var destination = CredentialTarget.Open(parse, target, output.IsJson, context.GetEnvironmentVariable);
            var renewed = await broker.RenewLeaseAsync(parse.GetRequiredValue(id), new RenewLeaseRequest(parse.GetValue(ttl)), cancellationToken);
            destination.Write(output, renewed);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CommandContext context, WorkloadTokenOptions tokenOptions)
    {
        var id = IdArgument();
        var command = new Command("revoke", "Revoke a lease now; the broker withdraws its credential") { id };
        context.SetWorkloadAction(command, tokenOptions, WorkloadToken.Use.OrOperator, async (parse, broker, output, cancellationToken) =>
        {
            var lease = await broker.RevokeLeaseAsync(parse.GetRequiredValue(id), cancellationToken);
            if (output.IsJson)
            {
                output.Json(lease);
            }
            else
            {
                output.Line($"lease '{lease.Id}' revoked (state {lease.State})");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> Required(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Required = true };

    private static Argument<string> IdArgument() => new("ID") { Description = "The lease's id (SB_LEASE_ID)" };
}
