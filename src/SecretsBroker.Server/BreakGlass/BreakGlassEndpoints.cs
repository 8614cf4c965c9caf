using System.Security.Claims;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.BreakGlass;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Auth;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Leases;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.BreakGlass;

/// <summary><c>/v1/break-glass</c>: operators ask for emergency leases, approve each other's, and review them afterwards.</summary>
internal static class BreakGlassEndpoints
{
    internal static RouteGroupBuilder MapBreakGlassEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/", (JsonBody<BreakGlassRequestBody> body, HttpContext http, BreakGlassService service, IClock clock, CancellationToken ct) =>
            service.RequestAsync(
                    Caller(http),
                    new BreakGlassCommand(body.Value.Role, body.Value.Justification, body.Value.Incident, TtlSeconds.ToDuration(body.Value.TtlSeconds)),
                    RequestAudit.ContextOf(http),
                    ct)
                .ToHttp(outcome => Answer(outcome, clock.GetCurrentInstant())))
            .WithName("RequestBreakGlass").WithSummary("Ask for an emergency lease of a role, with a justification")
            .DescribesBody<BreakGlassRequestBody>()
            .Produces<BreakGlassResponse>(StatusCodes.Status201Created).Produces<BreakGlassResponse>(StatusCodes.Status202Accepted);

        group.MapPost("/{id}/approve", (string id, HttpContext http, BreakGlassService service, IClock clock, CancellationToken ct) =>
            service.ApproveAsync(Caller(http), id, RequestAudit.ContextOf(http), ct).ToHttp(outcome => Answer(outcome, clock.GetCurrentInstant())))
            .WithName("ApproveBreakGlass").WithSummary("Approve another operator's break-glass request as its second person")
            .Produces<BreakGlassResponse>();

        group.MapPost("/{id}/credential", (string id, HttpContext http, BreakGlassService service, IClock clock, CancellationToken ct) =>
            service.CollectAsync(Caller(http), id, RequestAudit.ContextOf(http), ct)
                .ToHttp(outcome => Results.Ok(new BreakGlassResponse(outcome.Request.ToContract(clock.GetCurrentInstant()), outcome.Issued!.ToContract(clock.GetCurrentInstant())))))
            .WithName("CollectBreakGlassCredential").WithSummary("Collect the credential of an approved break-glass request, once")
            .Produces<BreakGlassResponse>();

        group.MapPost("/{id}/review", (string id, JsonBody<BreakGlassReviewBody> body, HttpContext http, BreakGlassService service, IClock clock, CancellationToken ct) =>
            service.ReviewAsync(Caller(http), id, body.Value.Outcome, body.Value.Notes, RequestAudit.ContextOf(http), ct)
                .ToHttp(request => Results.Ok(request.ToContract(clock.GetCurrentInstant()))))
            .WithName("ReviewBreakGlass").WithSummary("Record whether a break-glass use was justified")
            .DescribesBody<BreakGlassReviewBody>()
            .Produces<BreakGlassInfo>();

        group.MapGet("/{id}", (string id, BreakGlassService service, IClock clock, CancellationToken ct) =>
            service.GetAsync(id, ct).ToHttp(request => Results.Ok(request.ToContract(clock.GetCurrentInstant()))))
            .WithName("GetBreakGlass").WithSummary("Read one break-glass request")
            .Produces<BreakGlassInfo>();

        // The flag is read as text: a typed bool that fails to bind would answer a bare 400 without the query's code.
        group.MapGet("/", async (string? unreviewed, string? after, string? limit, BreakGlassService service, IClock clock, CancellationToken ct) =>
        {
            var page = PageLimit.Parse(limit);
            if (!page.IsSuccess)
            {
                return new BrokerProblem(page.Error!);
            }

            bool? onlyUnreviewed = unreviewed switch
            {
                null => false,
                "true" => true,
                "false" => false,
                _ => null,
            };
            if (onlyUnreviewed is null)
            {
                return new BrokerProblem(BrokerError.Invalid(ErrorCodes.InvalidQuery, "'unreviewed' must be true or false."));
            }

            var now = clock.GetCurrentInstant();
            return await service.ListAsync(onlyUnreviewed.Value, after, page.Value, ct).ToHttp(found => Results.Ok(new BreakGlassPage(
                found.Select(r => r.ToContract(now)).ToList(),
                found.Count == page.Value ? found[^1].Id : null)));
        }).WithName("ListBreakGlass").WithSummary("List break-glass requests, most recent first, paged").Produces<BreakGlassPage>();

        return group;
    }

    internal static BreakGlassInfo ToContract(this BreakGlassRequest r, Instant now) => new(
        r.Id, r.Role, r.RequesterActor, r.Justification, r.Incident, r.TtlSeconds, r.EffectiveStateAt(now),
        r.RequestedAt.ToDateTimeOffset(), r.ApproveBy.ToDateTimeOffset(), r.Approver, r.LeaseId, r.Reviewer, r.ReviewOutcome, r.ReviewNotes,
        r.ReviewedAt?.ToDateTimeOffset());

    /// <summary>201 with the credential to its requester; 202 while a second operator's approval is awaited; 200 to the approver, without it.</summary>
    private static IResult Answer(BreakGlassOutcome outcome, Instant now)
    {
        var body = new BreakGlassResponse(outcome.Request.ToContract(now), outcome.Issued?.ToContract(now));
        return outcome switch
        {
            { Issued: { } issued } => Results.Created($"{Routes.Leases}/{issued.Lease.Id}", body),
            { Request.State: BreakGlassRequest.Pending } => Results.Accepted($"{Routes.BreakGlass}/{outcome.Request.Id}", body),
            _ => Results.Ok(body),
        };
    }

    private static OperatorCaller Caller(HttpContext http) =>
        new(CallerClaims.CallerIdOf(http.User), CallerClaims.ActorOf(http.User), http.User.HasClaim(c => c.Type == CallerClaims.Person));
}
