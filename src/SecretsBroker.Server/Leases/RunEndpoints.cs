using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Leases;

/// <summary><c>/v1/runs/{run}/complete</c>: the end of a pipeline run revokes every lease it holds.</summary>
internal static class RunEndpoints
{
    internal static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder runs)
    {
        // A workload completes its own run (the issuer is its token's); an operator names the issuer.
        runs.MapPost("/{run}/complete", async (string run, string? issuer, HttpContext http, LeaseRevocations revocations, BrokerMetrics metrics, CancellationToken ct) =>
        {
            var caller = LeaseCallers.Of(http);
            var outcome = await revocations.CompleteRunAsync(caller, caller.Workload?.Issuer ?? issuer ?? "", run, ct);
            metrics.CountRevocations(RevocationCauses.RunCompletion, outcome.IsSuccess ? outcome.Value : 0);
            return outcome.ToHttp(revoked => Results.Ok(new RunCompletion(run, revoked)));
        }).WithName("CompleteRun").WithSummary("End a CI run, revoking every lease it holds").Produces<RunCompletion>();
        return runs;
    }
}
