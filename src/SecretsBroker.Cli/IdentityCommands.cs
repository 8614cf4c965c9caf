using System.CommandLine;
using System.Globalization;
using SecretsBroker.Contracts.Identities;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl identity …</c>: the security team's answer to a stolen workload identity.</summary>
internal static class IdentityCommands
{
    private const int BarWidth = 30;

    public static Command Create(CommandContext context) =>
        new("identity", "Revoke, block, unblock and list workload identities (security scope)")
        {
            Revoke(context, "revoke", "Revoke every live lease of an identity (add --block to refuse it from now on)", blockAlways: false),
            Revoke(context, "block", "Block an identity and revoke every live lease it holds", blockAlways: true),
            Unblock(context),
            List(context),
        };

    private static (Option<string> Issuer, Option<string> Subject, Option<string> Selector) TargetOptions() => (
        new Option<string>("--issuer") { Description = "The trusted issuer (CI platform) as the broker's configuration names it", HelpName = "NAME", Required = true },
        new Option<string>("--subject") { Description = "The identity's subject (the token's sub)", HelpName = "SUB" },
        new Option<string>("--selector") { Description = "Every identity with this exact claim, e.g. repository=acme/app", HelpName = "CLAIM=VALUE" });

    private static Command Revoke(CommandContext context, string name, string description, bool blockAlways)
    {
        var (issuer, subject, selector) = TargetOptions();
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit trail)", HelpName = "TEXT", Required = true };
        var block = new Option<bool>("--block") { Description = "Also refuse the identity on issue and renew until unblocked" };
        var noWait = new Option<bool>("--no-wait") { Description = "Answer at once instead of following the downstream clean-up" };
        var command = new Command(name, description) { issuer, subject, selector, reason, noWait };
        if (!blockAlways)
        {
            command.Add(block);
        }

        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var request = new RevokeIdentityRequest(
                parse.GetRequiredValue(issuer), parse.GetValue(subject), parse.GetValue(selector), parse.GetRequiredValue(reason), blockAlways || parse.GetValue(block));
            var revocation = await broker.RevokeIdentityAsync(request, cancellationToken);
            if (!output.IsJson)
            {
                output.Line($"revocation {revocation.RevocationId}: {revocation.Revoked} live lease{(revocation.Revoked == 1 ? "" : "s")} revoked at the broker{(revocation.Blocked ? "; identity blocked" : "")}");
            }

            if (parse.GetValue(noWait))
            {
                if (output.IsJson)
                {
                    output.Json(revocation);
                }

                return ExitCodes.Success;
            }

            var status = await FollowAsync(broker, revocation.RevocationId, output, cancellationToken);
            if (output.IsJson)
            {
                output.Json(status);
            }

            return status.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Polls <c>GET /v1/revocations/{id}</c>, drawing a progress bar, until no lease is still being cleaned up.</summary>
    private static async Task<RevocationStatus> FollowAsync(BrokerClient broker, string id, Output output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await broker.GetRevocationAsync(id, cancellationToken);
            if (!output.IsJson)
            {
                output.Line(Bar(status));
            }

            if (status.Finished)
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static string Bar(RevocationStatus s)
    {
        var settled = s.Done + s.Failed;
        var filled = s.Total == 0 ? BarWidth : (int)(BarWidth * settled / s.Total);
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {settled}/{s.Total} cleaned up downstream ({s.Done} revoked, {s.Failed} failed, {s.Pending} pending)");
    }

    private static Command Unblock(CommandContext context)
    {
        var (issuer, subject, selector) = TargetOptions();
        var command = new Command("unblock", "Lift a block: the identity may lease again (audited)") { issuer, subject, selector };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var unblocked = await broker.UnblockIdentityAsync(new UnblockIdentityRequest(parse.GetRequiredValue(issuer), parse.GetValue(subject), parse.GetValue(selector)), cancellationToken);
            if (output.IsJson)
            {
                output.Json(unblocked);
            }
            else
            {
                output.Line($"unblocked {unblocked.Issuer} {unblocked.Subject ?? unblocked.Selector}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CommandContext context)
    {
        var after = new Option<long?>("--after") { Description = "Start after this position (from the previous page)", HelpName = "N" };
        var limit = new Option<int?>("--limit") { Description = "Identities per page [default: the broker's]", HelpName = "N" };
        var command = new Command("list", "Every workload identity the broker has issued to, with live leases and whether blocked") { after, limit };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var page = await broker.ListIdentitiesAsync(parse.GetValue(after), parse.GetValue(limit), cancellationToken);
            if (output.IsJson)
            {
                output.Json(page);
                return ExitCodes.Success;
            }

            var rows = page.Identities
                .Select(i => new[] { i.Issuer, i.Subject, i.LiveLeases.ToString(CultureInfo.InvariantCulture), Output.Time(i.LastSeen), i.Blocked ? "yes" : "no" })
                .ToList();
            output.Table(["ISSUER", "SUBJECT", "LIVE", "LAST SEEN", "BLOCKED"], rows, whenEmpty: "no identities seen");
            if (page.Next is { } next)
            {
                output.Line($"more identities: sbctl identity list --after {next}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary><c>sbctl leases list</c>: the lease inventory for the security team and operators.</summary>
internal static class LeaseInventoryCommands
{
    public static Command Create(CommandContext context)
    {
        var issuer = new Option<string>("--issuer") { Description = "Only this issuer's leases (with --subject: one identity's)", HelpName = "NAME" };
        var subject = new Option<string>("--subject") { Description = "Only this subject's leases (needs --issuer)", HelpName = "SUB" };
        var run = new Option<string>("--run") { Description = "Only this run's leases", HelpName = "ID" };
        var role = new Option<string>("--role") { Description = "Only this role's leases", HelpName = "NAME" };
        var state = new Option<string>("--state") { Description = "Only leases in this state (issuing, active, revoking, revoked, revoke_failed)", HelpName = "STATE" };
        var breakGlass = new Option<bool?>("--break-glass") { Description = "Only break-glass leases (true) or only the others (false)", HelpName = "true|false" };
        var after = new Option<string>("--after") { Description = "Start after this lease id (from the previous page)", HelpName = "ID" };
        var limit = new Option<int?>("--limit") { Description = "Leases per page [default: the broker's]", HelpName = "N" };
        var list = new Command("list", "List leases, filtered, in lease id order") { issuer, subject, run, role, state, breakGlass, after, limit };
        context.SetBrokerAction(list, async (parse, broker, output, cancellationToken) =>
        {
            var query = new Dictionary<string, string?>
            {
                ["issuer"] = parse.GetValue(issuer),
                ["subject"] = parse.GetValue(subject),
                ["run"] = parse.GetValue(run),
                ["role"] = parse.GetValue(role),
                ["state"] = parse.GetValue(state),
                ["breakGlass"] = parse.GetValue(breakGlass) is { } only ? (only ? "true" : "false") : null,
                ["after"] = parse.GetValue(after),
                ["limit"] = parse.GetValue(limit)?.ToString(CultureInfo.InvariantCulture),
            };
            var page = await broker.ListLeasesAsync(query, cancellationToken);
            if (output.IsJson)
            {
                output.Json(page);
                return ExitCodes.Success;
            }

            var rows = page.Leases
                .Select(l => new[] { l.Lease.Id, l.Lease.State, l.Lease.Role, l.Issuer, l.Subject, l.Lease.Run, l.Lease.Step, Output.Time(l.Lease.ExpiresAt) })
                .ToList();
            output.Table(["ID", "STATE", "ROLE", "ISSUER", "SUBJECT", "RUN", "STEP", "EXPIRES"], rows, whenEmpty: "no leases");
            if (page.Next is { } next)
            {
                output.Line($"more leases: sbctl leases list --after {next}");
            }

            return ExitCodes.Success;
        });
        return new Command("leases", "The lease inventory (security or operator scope)") { list };
    }
}
