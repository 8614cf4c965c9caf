using System.Globalization;
using NodaTime;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Leases;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.OpenApi;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Identities;

/// <summary><c>/v1/identities</c>, <c>/v1/revocations</c> and the lease inventory: the security team's view of non-human identities.</summary>
internal static class IdentityEndpoints
{
    internal static RouteGroupBuilder MapIdentityEndpoints(this RouteGroupBuilder identities)
    {
        identities.MapGet("/", async (string? after, string? limit, IIdentityStore store, IdentityGate gate, IClock clock, CancellationToken ct) =>
        {
            var page = PageLimit.Parse(limit);
            if (!page.IsSuccess)
            {
                return new BrokerProblem(page.Error!);
            }

            long afterSeq = 0;
            if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSeq))
            {
                return new BrokerProblem(BrokerError.Invalid(ErrorCodes.InvalidQuery, "'after' must be a number from a previous page."));
            }

            var seen = await store.PageAsync(afterSeq, page.Value, clock.GetCurrentInstant(), ct);
            var items = new List<IdentityInfo>(seen.Count);
            foreach (var i in seen)
            {
                items.Add(new IdentityInfo(i.Issuer, i.Subject, i.Claims, i.FirstSeen.ToDateTimeOffset(), i.LastSeen.ToDateTimeOffset(), i.LiveLeases,
                    await gate.IsBlockedAsync(i.Issuer, i.Subject, i.Claims, ct)));
            }

            return Results.Ok(new IdentityPage(items, seen.Count == page.Value ? seen[^1].Seq : null));
        }).WithName("ListIdentities").WithSummary("List the workload identities leased to, with their claims and blocks, paged").Produces<IdentityPage>();

        identities.MapPost("/revoke", async (JsonBody<RevokeIdentityRequest> body, HttpContext http, IdentityResponse response, TrustedIssuers issuers, BrokerMetrics metrics, CancellationToken ct) =>
        {
            var outcome = await response.RevokeAsync(
                ConfiguredIssuer(issuers, body.Value.Issuer) is { } issuer
                    ? IdentityTarget.Parse(issuer, body.Value.Subject, body.Value.Selector)
                    : UnknownIssuer(issuers),
                body.Value.Reason, body.Value.Block, RequestAudit.ContextOf(http), ct);
            metrics.CountRevocations(RevocationCauses.IdentityRevoke, outcome.IsSuccess ? outcome.Value.Revoked : 0);
            return outcome.ToHttp(r => Results.Ok(new IdentityRevocationResult(r.Id, r.Revoked, r.Blocked)));
        }).WithName("RevokeIdentity").WithSummary("Revoke every live lease of an identity, and optionally block it")
            .DescribesBody<RevokeIdentityRequest>()
            .Produces<IdentityRevocationResult>();

        // An issuer no longer configured may still have a block rule to lift: its name is taken as given.
        identities.MapPost("/unblock", (JsonBody<UnblockIdentityRequest> body, HttpContext http, IdentityResponse response, TrustedIssuers issuers, CancellationToken ct) =>
            response.UnblockAsync(
                    IdentityTarget.Parse(ConfiguredIssuer(issuers, body.Value.Issuer) ?? body.Value.Issuer, body.Value.Subject, body.Value.Selector), RequestAudit.ContextOf(http), ct)
                .ToHttp(t => Results.Ok(new IdentityUnblocked(t.Issuer, t.Subject, Selector(t)))))
            .WithName("UnblockIdentity").WithSummary("Lift an identity's block")
            .DescribesBody<UnblockIdentityRequest>()
            .Produces<IdentityUnblocked>();
        return identities;
    }

    internal static RouteGroupBuilder MapRevocationEndpoints(this RouteGroupBuilder revocations)
    {
        revocations.MapGet("/{id}", (string id, IdentityResponse response, CancellationToken ct) =>
            response.ProgressAsync(id, ct).ToHttp(p => Results.Ok(new RevocationStatus(
                p.Id, p.Target.Issuer, p.Target.Subject, Selector(p.Target), p.Reason, p.Blocked, p.At.ToDateTimeOffset(), p.Total, p.Done, p.Failed, p.Pending))))
            .WithName("GetRevocation").WithSummary("Follow the downstream clean-up of an identity revocation")
            .Produces<RevocationStatus>();
        return revocations;
    }

    /// <summary><c>GET /v1/leases</c> for the security team and operators; workloads keep to their own leases by id.</summary>
    internal static RouteGroupBuilder MapLeaseInventoryEndpoints(this RouteGroupBuilder leases)
    {
        leases.MapGet("/", async (string? issuer, string? subject, string? run, string? role, string? state, string? breakGlass, string? after, string? limit,
            ILeaseInventory inventory, IClock clock, CancellationToken ct) =>
        {
            var page = PageLimit.Parse(limit);
            if (!page.IsSuccess)
            {
                return new BrokerProblem(page.Error!);
            }

            if (subject is not null && issuer is null)
            {
                return new BrokerProblem(BrokerError.Invalid(ErrorCodes.InvalidQuery, "An identity filter names its issuer and subject."));
            }

            bool? onlyBreakGlass = breakGlass switch
            {
                null => null,
                "true" => true,
                "false" => false,
                _ => null,
            };
            if (breakGlass is not null && onlyBreakGlass is null)
            {
                return new BrokerProblem(BrokerError.Invalid(ErrorCodes.InvalidQuery, "'breakGlass' must be true or false."));
            }

            if (state is not null && !LeaseState.Seen.Contains(state))
            {
                return new BrokerProblem(BrokerError.Invalid(ErrorCodes.InvalidQuery, $"'state' must be one of {string.Join(", ", LeaseState.Seen)}."));
            }

            var now = clock.GetCurrentInstant();
            var found = await inventory.PageAsync(new LeaseFilter(issuer, subject, run, role, state, onlyBreakGlass), after, page.Value, now, ct);
            return Results.Ok(new LeasePage(
                found.Select(l => new LeaseInventoryItem(l.Issuer, l.Subject, l.ToContract(now))).ToList(),
                found.Count == page.Value ? found[^1].Id : null));
        }).RequireAuthorization(IdentitySetup.InventoryReaders)
            .WithName("ListLeases").WithSummary("List leases, filtered, in lease id order, paged")
            .Produces<LeasePage>();
        return leases;
    }

    /// <summary>
    /// The broker's name of a configured workload issuer, given by that name or by its <c>iss</c> URL, or
    /// <c>operator</c> (break-glass leases, by their holder); null when none is so.
    /// </summary>
    private static string? ConfiguredIssuer(TrustedIssuers issuers, string? given) =>
        given == BreakGlassService.Issuer ? given : issuers.All.FirstOrDefault(i => i.Name == given || i.Issuer == given)?.Name;

    private static BrokerError UnknownIssuer(TrustedIssuers issuers) =>
        BrokerError.Invalid(ErrorCodes.UnknownIssuer, $"No workload issuer of that name is configured; the configured ones are: {string.Join(", ", issuers.All.Select(i => i.Name))}.");

    private static string? Selector(IdentityTarget t) => t.ClaimName is null ? null : $"{t.ClaimName}={t.ClaimValue}";
}
