using System.CommandLine;
using System.Globalization;
using SecretsBroker.Contracts.Audit;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl audit …</c>: read the audit trail and verify its MAC chain.</summary>
internal static class AuditCommands
{
    public static Command Create(CommandContext context) =>
        new("audit", "Read and verify the audit trail")
        {
            List(context),
            Verify(context),
        };

    private static Command List(CommandContext context)
    {
        var after = new Option<long?>("--after") { Description = "Start after this event sequence number", HelpName = "SEQ" };
        var limit = new Option<int?>("--limit")
        {
            Description = "Events per page [default: the broker's]",
            HelpName = "N",
            // A parser, not a validator: a validator reading a value that failed to convert ('--limit x') throws.
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
                {
                    return count;
                }

                result.AddError("--limit must be a positive number.");
                return null;
            },
        };
        var all = new Option<bool>("--all") { Description = "Follow the pages until the last event" };
        var command = new Command("list", "List audit events, oldest first") { after, limit, all };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var page = parse.GetValue(all)
                ? await ReadAllAsync(broker, parse.GetValue(after), parse.GetValue(limit), cancellationToken)
                : await broker.GetAuditPageAsync(parse.GetValue(after), parse.GetValue(limit), cancellationToken);
            if (output.IsJson)
            {
                output.Json(page);
                return ExitCodes.Success;
            }

            var rows = page.Events
                .Select(auditEvent => new[]
                {
                    auditEvent.Seq.ToString(),
                    Output.Time(auditEvent.At),
                    auditEvent.Actor,
                    auditEvent.Action,
                    auditEvent.Target,
                    auditEvent.Decision,
                    auditEvent.Reason ?? "-",
                })
                .ToList();
            output.Table(["SEQ", "AT", "ACTOR", "ACTION", "TARGET", "DECISION", "REASON"], rows, whenEmpty: "no audit events");
            if (page.Next is { } next)
            {
                output.Line($"more events: sbctl audit list --after {next}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Follows <see cref="AuditPage.Next"/> from <paramref name="after"/> and returns one page holding every event.</summary>
    private static async Task<AuditPage> ReadAllAsync(BrokerClient broker, long? after, int? limit, CancellationToken cancellationToken)
    {
        var events = new List<AuditEventInfo>();
        while (true)
        {
            var page = await broker.GetAuditPageAsync(after, limit, cancellationToken);
            events.AddRange(page.Events);
            if (page.Next is not { } next || page.Events.Count == 0)
            {
                return new AuditPage(events, Next: null);
            }

            // A cursor that does not move forward would loop forever; better to stop loudly.
            if (next <= after)
            {
                throw new CommandFailedException("bad_response", $"the broker's audit cursor went back from {after} to {next}");
            }

            after = next;
        }
    }

    private static Command Verify(CommandContext context)
    {
        var command = new Command("verify", "Check the audit trail's MAC chain; exits 1 when it is broken");
        context.SetBrokerAction(command, async (_, broker, output, cancellationToken) =>
        {
            var verification = await broker.VerifyAuditAsync(cancellationToken);
            var where = verification.FirstBrokenSeq is { } seq ? $" at event {seq}" : string.Empty;
            var problem = verification.Problem ?? "unknown";
            if (output.IsJson)
            {
                output.Json(verification);
            }
            else if (verification.Intact)
            {
                output.Line($"audit trail intact: {verification.Checked} events checked");
            }
            else
            {
                output.Line($"audit trail BROKEN{where}: {problem}");
            }

            return verification.Intact
                ? ExitCodes.Success
                : throw new CommandFailedException("audit_broken", $"the audit trail is broken{where}: {problem}");
        });
        return command;
    }
}
