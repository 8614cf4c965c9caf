using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What the break-glass contracts share: requests of one operator, approved by a second and reviewed by
/// a third, taken through their states the way BreakGlassService takes them, with the alerts they raise.
/// </summary>
public abstract class BreakGlassRequestContract : StoreContract
{
    protected const string Requester = "tok_requester";
    protected const string Approver = "tok_approver";
    protected const string Reviewer = "tok_reviewer";

    protected static readonly Duration Window = Duration.FromMinutes(15);

    /// <summary>A request made now by <paramref name="requester"/>, open for approval for <see cref="Window"/>.</summary>
    protected BreakGlassRequest NewRequest(string state = BreakGlassRequest.Pending, string requester = Requester) =>
        new(LeaseId.New(Now), "deploy-api", requester, "token:" + requester, "Orders database down, restoring from backup", "INC-" + ContractFakers.RunId()[..4],
            900, state, Now, Now + Window, null, null, null, null, null, null);

    /// <summary>Commits a new request; <paramref name="state"/> approved is a role that needs no second operator.</summary>
    protected async Task<BreakGlassRequest> RequestAsync(string state = BreakGlassRequest.Pending, string requester = Requester)
    {
        var request = NewRequest(state, requester);
        await Stores.BreakGlass.InsertAsync(request, NewRecord(AuditActions.BreakGlassRequest, $"break_glass:{request.Id} role:{request.Role}"), default);
        return request;
    }

    /// <summary>A pending request approved now by <see cref="Approver"/>.</summary>
    protected async Task<BreakGlassRequest> ApprovedAsync()
    {
        var request = await RequestAsync();
        Assert.True(await Stores.BreakGlass.ApproveAsync(request.Id, Approver, Now, NewRecord(AuditActions.BreakGlassApprove, "break_glass:" + request.Id), default));
        return await FindAsync(request.Id);
    }

    /// <summary>A request issued now with its lease (which has the request's id) and its alert; approved by a second operator unless <paramref name="twoPerson"/> is false.</summary>
    protected async Task<(BreakGlassRequest Request, BreakGlassAlert Alert)> IssuedAsync(bool twoPerson = true)
    {
        var request = twoPerson ? await ApprovedAsync() : await RequestAsync(BreakGlassRequest.Approved);
        var alert = NewAlert(request.Id);
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(request.Id, request.Id, alert, default));
        return (await FindAsync(request.Id), alert);
    }

    /// <summary>An alert about <paramref name="requestId"/> raised now, taken by its first delivery until <paramref name="nextAttemptAt"/>.</summary>
    protected BreakGlassAlert NewAlert(string requestId, string kind = BreakGlassAlertKinds.Issued, Instant? nextAttemptAt = null) =>
        new(LeaseId.New(Now), kind, requestId, Now, 0, nextAttemptAt ?? Now + AlertRetry.Default.ClaimFor);

    protected AuditRecord ReviewRecord(string id) => NewRecord(AuditActions.BreakGlassReview, "break_glass:" + id) with { Reason = "outcome justified" };

    protected async Task<BreakGlassRequest> FindAsync(string id) =>
        await Stores.BreakGlass.FindAsync(id, default) ?? throw new InvalidOperationException($"Request {id} is gone.");
}
