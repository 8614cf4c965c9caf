using System.Globalization;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Audit;

/// <summary><c>/v1/audit</c>: the trail, page by page, and its verification.</summary>
internal static class AuditEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    internal static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder audit)
    {
        audit.MapGet("/", async (string? after, string? limit, IAuditStore store, CancellationToken ct) =>
        {
            var page = ParsePage(after, limit);
            if (!page.IsSuccess)
            {
                return new BrokerProblem(page.Error!);
            }

            var events = await store.PageAsync(page.Value.After, page.Value.Limit, ct);
            var next = events.Count == page.Value.Limit ? events[^1].Seq : (long?)null;
            return Results.Ok(new AuditPage(events.Select(ToContract).ToList(), next));
        }).WithName("ListAuditEvents").WithSummary("Read the audit trail, oldest first, paged").Produces<AuditPage>();

        audit.MapGet("/verify", async (AuditVerifier verifier, CancellationToken ct) =>
        {
            var v = await verifier.VerifyAsync(ct);
            return Results.Ok(new Contracts.Audit.AuditVerification(v.Intact, v.Checked, v.FirstBrokenSeq, v.Problem));
        }).WithName("VerifyAuditChain").WithSummary("Check the audit trail's hash chain and report the first break").Produces<Contracts.Audit.AuditVerification>();

        return audit;
    }

    private static Result<(long After, int Limit)> ParsePage(string? after, string? limit)
    {
        long afterSeq = 0;
        var size = DefaultPageSize;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSeq)))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidQuery, "'after' must be an event sequence number.");
        }

        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidQuery, $"'limit' must be a number from 1 to {MaxPageSize}.");
        }

        return (afterSeq, size);
    }

    private static AuditEventInfo ToContract(AuditEvent e) => new(
        e.Seq, e.Id, e.At.ToDateTimeOffset(), e.Actor, e.Action, e.Target, e.Decision, e.Reason,
        new AuditRequestInfo(e.RequestId, e.RemoteAddress, e.UserAgent), e.Mac);
}
