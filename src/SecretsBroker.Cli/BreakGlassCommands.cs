using System.CommandLine;
using SecretsBroker.Contracts.BreakGlass;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl break-glass …</c>: request an emergency credential, approve someone else's request, review, list.</summary>
internal static class BreakGlassCommands
{
    public static Command Create(CommandContext context) =>
        new("break-glass", "Emergency credentials for operators: request, approve, collect, review, list")
        {
            Request(context),
            Approve(context),
            Collect(context),
            Review(context),
            List(context),
        };

    private static Command Request(CommandContext context)
    {
        var role = new Option<string>("--role") { Description = "The role; the policy must allow break-glass for it", HelpName = "ROLE", Required = true };
        var justification = new Option<string>("--justification") { Description = "Why, in at least 20 characters; recorded in the audit trail and the alert", HelpName = "TEXT", Required = true };
        var incident = new Option<string>("--incident") { Description = "The incident reference, e.g. INC-1234", HelpName = "REF", Required = true };
        var ttl = TtlParser.CreateOption($"Lifetime: {TtlParser.Examples} (seconds) [default and maximum: the role's break-glass cap]");
        var format = CredentialOutput.CreateFormatOption();
        var command = new Command("request", "Request an emergency credential; with a two-person role it waits for another operator's approval")
        {
            role, justification, incident, ttl, format,
        };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var chosen = CredentialOutput.Choose(parse.GetValue(format), output.IsJson);
            var body = new BreakGlassRequestBody(parse.GetRequiredValue(role), parse.GetRequiredValue(justification), parse.GetRequiredValue(incident), parse.GetValue(ttl));
            return Issued(output, await broker.RequestBreakGlassAsync(body, cancellationToken), chosen);
        });
        return command;
    }

    private static Command Approve(CommandContext context)
    {
        var id = new Argument<string>("ID") { Description = "The request's id, as shown by 'break-glass list'" };
        var command = new Command("approve", "Approve another operator's pending request; the requester then collects the credential") { id };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var answer = await broker.ApproveBreakGlassAsync(parse.GetRequiredValue(id), cancellationToken);
            if (output.IsJson)
            {
                output.Json(answer);
            }
            else
            {
                output.Fields(("request", answer.Request.Id), ("state", answer.Request.State), ("lease", answer.Request.LeaseId ?? "-"));
                output.Line($"Approved. The requester collects the credential: sbctl break-glass collect {answer.Request.Id}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Collect(CommandContext context)
    {
        var id = new Argument<string>("ID") { Description = "Your approved request's id" };
        var format = CredentialOutput.CreateFormatOption();
        var command = new Command("collect", "Take the credential of your approved request (once)") { id, format };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var chosen = CredentialOutput.Choose(parse.GetValue(format), output.IsJson);
            return Issued(output, await broker.CollectBreakGlassAsync(parse.GetRequiredValue(id), cancellationToken), chosen);
        });
        return command;
    }

    private static Command Review(CommandContext context)
    {
        var id = new Argument<string>("ID") { Description = "The request's id" };
        var outcome = new Option<string>("--outcome") { Description = "justified, unjustified or needs_follow_up", HelpName = "OUTCOME", Required = true };
        var notes = new Option<string>("--notes") { Description = "What the review found", HelpName = "TEXT" };
        var command = new Command("review", "Review an issued break-glass lease (not your own)") { id, outcome, notes };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var reviewed = await broker.ReviewBreakGlassAsync(parse.GetRequiredValue(id), new BreakGlassReviewBody(parse.GetRequiredValue(outcome), parse.GetValue(notes)), cancellationToken);
            if (output.IsJson)
            {
                output.Json(reviewed);
            }
            else
            {
                output.Line($"break-glass '{reviewed.Id}' reviewed: {reviewed.ReviewOutcome}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CommandContext context)
    {
        var unreviewed = new Option<bool>("--unreviewed") { Description = "Only issued break-glass leases nobody has reviewed yet" };
        var after = new Option<string>("--after") { Description = "Start after this request id (from the previous page)", HelpName = "ID" };
        var limit = new Option<int?>("--limit") { Description = "Requests per page [default: the broker's]", HelpName = "N" };
        var command = new Command("list", "List break-glass requests, most recent first") { unreviewed, after, limit };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var page = await broker.ListBreakGlassAsync(parse.GetValue(unreviewed), parse.GetValue(after), parse.GetValue(limit), cancellationToken);
            if (output.IsJson)
            {
                output.Json(page);
                return ExitCodes.Success;
            }

            var rows = page.Requests
                .Select(r => new[] { r.Id, r.Role, r.State, r.Incident, r.Requester, Output.Time(r.RequestedAt), r.Approver ?? "-", r.ReviewOutcome ?? "-" })
                .ToList();
            output.Table(["ID", "ROLE", "STATE", "INCIDENT", "REQUESTER", "REQUESTED", "APPROVER", "REVIEW"], rows, whenEmpty: "no break-glass requests");
            if (page.Next is { } next)
            {
                output.Line($"more requests: sbctl break-glass list{(parse.GetValue(unreviewed) ? " --unreviewed" : "")} --after {next}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static int Issued(Output output, BreakGlassResponse answer, string format)
    {
        if (answer.Lease is { } lease)
        {
            CredentialOutput.Write(output, lease, format);
        }
        else if (output.IsJson)
        {
            output.Json(answer);
        }
        else
        {
            output.Fields(
                ("request", answer.Request.Id),
                ("state", answer.Request.State),
                ("approve by", Output.Time(answer.Request.ApproveBy)));
            output.Line($"Waiting for another operator: sbctl break-glass approve {answer.Request.Id}");
            output.Line($"Once approved, collect the credential: sbctl break-glass collect {answer.Request.Id}");
        }

        return ExitCodes.Success;
    }
}
