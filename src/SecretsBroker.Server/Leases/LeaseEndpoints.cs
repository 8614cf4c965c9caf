using System.Diagnostics;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Leases;

/// <summary><c>/v1/leases</c>: CI workloads lease credentials for one step; operators may read and revoke any lease.</summary>
internal static class LeaseEndpoints
{
    internal static RouteGroupBuilder MapLeaseEndpoints(this RouteGroupBuilder leases)
    {
        leases.MapPost("/", async (JsonBody<IssueLeaseRequest> body, HttpContext http, LeaseIssuer issuer, BrokerMetrics metrics, IClock clock, CancellationToken ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                var outcome = await issuer.IssueAsync(
                    LeaseCallers.Workload(http),
                    new IssueLeaseCommand(body.Value.Role, body.Value.Run, body.Value.Step, body.Value.Purpose, TtlSeconds.ToDuration(body.Value.TtlSeconds), IdempotencyKey(http)),
                    RequestAudit.ContextOf(http),
                    ct)
                    .Logged(http, null, "issue", (log, issued) => LeaseLog.Issued(log, issued.Lease.Id, issued.Lease.Role, issued.Replayed));
                metrics.CountIssue(body.Value.Role, outcome, Stopwatch.GetElapsedTime(started));
                return outcome.ToHttp(issued => issued.Replayed
                    ? Results.Ok(issued.ToContract(clock.GetCurrentInstant()))
                    : Results.Created($"{Routes.Leases}/{issued.Lease.Id}", issued.ToContract(clock.GetCurrentInstant())));
            })
            .RequireAuthorization(Auth.ScopePolicies.Workload)
            .WithName("IssueLease").WithSummary("Lease a credential for one step of a CI run")
            .DescribesBody<IssueLeaseRequest>()
            .Produces<IssuedLeaseResponse>().Produces<IssuedLeaseResponse>(StatusCodes.Status201Created);

        leases.MapGet("/{id}", (string id, HttpContext http, LeaseLookup lookup, IClock clock, CancellationToken ct) =>
            lookup.GetAsync(LeaseCallers.Of(http), id, ct).ToHttp(lease => Results.Ok(lease.ToContract(clock.GetCurrentInstant()))))
            .WithName("GetLease").WithSummary("Read one lease")
            .Produces<LeaseInfo>();

        // Operators get through to the renewer, which tells a break-glass holder why their lease is not renewed.
        leases.MapPost("/{id}/renew", async (string id, JsonBody<RenewLeaseRequest> body, HttpContext http, LeaseRenewer renewer, BrokerMetrics metrics, IClock clock, CancellationToken ct) =>
        {
            var outcome = await renewer.RenewAsync(LeaseCallers.Of(http), id, TtlSeconds.ToDuration(body.Value.TtlSeconds), ct)
                .Logged(http, id, "renew", (log, renewed) => LeaseLog.Renewed(log, renewed.Lease.Id));
            metrics.CountRenewal(outcome);
            return outcome.ToHttp(renewed => Results.Ok(renewed.ToContract(clock.GetCurrentInstant())));
        }).WithName("RenewLease").WithSummary("Extend a lease, deciding the policy again").DescribesBody<RenewLeaseRequest>().Produces<LeaseInfo>();

        leases.MapDelete("/{id}", async (string id, HttpContext http, LeaseRevocations revocations, BrokerMetrics metrics, IClock clock, CancellationToken ct) =>
        {
            var outcome = await revocations.RevokeAsync(LeaseCallers.Of(http), id, ct)
                .Logged(http, id, "revoke", (log, lease) => LeaseLog.Revoked(log, lease.Id));
            metrics.CountRevocations(RevocationCauses.Manual, outcome.IsSuccess ? 1 : 0);
            return outcome.ToHttp(lease => Results.Ok(lease.ToContract(clock.GetCurrentInstant())));
        }).WithName("RevokeLease").WithSummary("Revoke one lease").Produces<LeaseInfo>();

        return leases;
    }

    private static string? IdempotencyKey(HttpContext http) =>
        http.Request.Headers.TryGetValue(Routes.IdempotencyKeyHeader, out var key) && key.Count == 1 ? key[0] : null;
}
