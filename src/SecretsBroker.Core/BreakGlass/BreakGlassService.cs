using System.Text.RegularExpressions;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// Emergency leases for operators: a justification and an incident reference, a role whose policy
/// allows it, a hard cap on the lifetime, no renewal, a second operator's approval when the role
/// asks for one, and a review afterwards by someone other than the requester.
/// </summary>
public sealed partial class BreakGlassService(
    IBreakGlassStore store,
    LeaseMinter minter,
    LeaseReplay replay,
    IAuditStore auditTrail,
    IPolicySource policy,
    IBreakGlassAlerts alerts,
    BreakGlassSettings settings,
    AlertRetry alertRetry,
    IClock clock)
{
    /// <summary>The identity a break-glass lease belongs to: the operator token, not a workload.</summary>
    public const string Issuer = "operator";

    /// <summary>The fixed binding of a break-glass lease: run and purpose; the step is the incident.</summary>
    public const string Run = "break-glass";

    private const int MaxJustificationLength = 1000;
    private const int MaxNotesLength = 2000;
    private const int ReminderBatch = 500;

    // An issuance takes well under this; a request still approved after it lost its issuance with its process.
    private static readonly Duration StrandedAfter = Duration.FromMinutes(5);

    /// <summary>Review outcomes a reviewer may record.</summary>
    public static IReadOnlyList<string> Outcomes { get; } = ["justified", "unjustified", "needs_follow_up"];

    public async Task<Result<BreakGlassOutcome>> RequestAsync(OperatorCaller who, BreakGlassCommand command, AuditContext audit, CancellationToken ct)
    {
        if (await PersonRequiredAsync(who, audit, AuditActions.BreakGlassRequest, $"role:{command.Role}", ct) is { } notAPerson)
        {
            return notAPerson;
        }

        if (Check(command) is { } invalid)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassRequest, $"role:{command.Role}", invalid.Code, ct);
            return invalid;
        }

        var now = clock.StoredNow();
        if (AllowedRole(command.Role) is not { } role)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassRequest, $"role:{command.Role}", "break_glass_not_allowed", ct);
            return NotAllowed();
        }

        var cap = role.BreakGlass!.MaxTtl;
        var ttl = command.Ttl is { } asked ? Duration.Min(asked, cap) : cap;
        var request = new BreakGlassRequest(
            LeaseId.New(now), role.Name, who.TokenId, who.Actor, command.Justification!.Trim(), command.Incident!, (long)ttl.TotalSeconds,
            role.BreakGlass.NeedsApproval ? BreakGlassRequest.Pending : BreakGlassRequest.Approved,
            now, now + settings.ApprovalWindow, null, null, null, null, null, null);

        // The justification and incident go into the trail: they are the point of the record, and never a secret.
        var record = new AuditRecord(now, audit, AuditActions.BreakGlassRequest, $"break_glass:{request.Id} role:{role.Name}", AuditDecision.Allowed,
            $"incident {request.Incident}; ttl {request.TtlSeconds}s; approvals {role.BreakGlass.Approvals}; justification: {request.Justification}");
        await store.InsertAsync(request, record, ct);
        return role.BreakGlass.NeedsApproval
            ? new BreakGlassOutcome(request, null)
            : await IssueAsync(request, role, audit, ct);
    }

    public async Task<Result<BreakGlassOutcome>> ApproveAsync(OperatorCaller who, string id, AuditContext audit, CancellationToken ct)
    {
        if (!LeaseId.LooksValid(id) || await store.FindAsync(id, ct) is not { } request)
        {
            return NotFound();
        }

        var target = $"break_glass:{id}";
        var now = clock.GetCurrentInstant();
        if (await PersonRequiredAsync(who, audit, AuditActions.BreakGlassApprove, target, ct) is { } notAPerson)
        {
            return notAPerson;
        }

        if (request.Requester == who.TokenId)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassApprove, target, "self_approval_refused", ct);
            return new BrokerError(ErrorCodes.SelfApprovalRefused, "A break-glass request must be approved by a different operator.", ErrorKind.Forbidden);
        }

        var state = request.EffectiveStateAt(now);
        if (state == BreakGlassRequest.Expired)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassApprove, target, "break_glass_request_expired", ct);
            return BrokerError.Conflict(ErrorCodes.BreakGlassRequestExpired, "The request was not approved within its window; request again.");
        }

        if (state != BreakGlassRequest.Pending)
        {
            return BrokerError.Conflict(ErrorCodes.BreakGlassRequestNotPending, "The request is no longer waiting for approval.");
        }

        // The policy may have changed since the request: it must still allow break-glass for the role.
        if (AllowedRole(request.Role) is not { } role)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassApprove, target, "break_glass_not_allowed", ct);
            return NotAllowed();
        }

        var record = new AuditRecord(now, audit, AuditActions.BreakGlassApprove, target, AuditDecision.Allowed, $"requested by {request.RequesterActor}");
        if (!await store.ApproveAsync(id, who.TokenId, now, record, ct))
        {
            return BrokerError.Conflict(ErrorCodes.BreakGlassRequestNotPending, "The request is no longer waiting for approval.");
        }

        // The approver gives the second yes, not the credential: the requester collects it.
        var issued = await IssueAsync(request with { State = BreakGlassRequest.Approved, Approver = who.TokenId }, role, audit, ct);
        return issued.IsSuccess ? issued.Value with { Issued = null } : issued.Error!;
    }

    /// <summary>The requester of an approved request takes its credential, once, while the lease is live.</summary>
    public async Task<Result<BreakGlassOutcome>> CollectAsync(OperatorCaller who, string id, AuditContext audit, CancellationToken ct)
    {
        if (!LeaseId.LooksValid(id) || await store.FindAsync(id, ct) is not { } request)
        {
            return NotFound();
        }

        var target = $"break_glass:{id}";
        if (request.Requester != who.TokenId)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassCollect, target, "not_requester", ct);
            return new BrokerError(ErrorCodes.NotRequester, "Only the requester collects a break-glass credential.", ErrorKind.Forbidden);
        }

        if (request.State != BreakGlassRequest.Issued || request.LeaseId is null)
        {
            return BrokerError.Conflict(ErrorCodes.BreakGlassNotIssued, "The request has not been approved and issued.");
        }

        // Read first: a lease that is no longer live uses up nothing. Then the one hand-out is recorded,
        // and the credential leaves only if this call recorded it.
        var issued = await replay.CredentialOfAsync(request.LeaseId, ct);
        if (!issued.IsSuccess)
        {
            return issued.Error!;
        }

        var now = clock.GetCurrentInstant();
        var record = new AuditRecord(now, audit, AuditActions.BreakGlassCollect, $"{target} lease:{request.LeaseId}", AuditDecision.Allowed, "collected by the requester");
        return await store.MarkCollectedAsync(id, now, record, ct)
            ? new BreakGlassOutcome(request, issued.Value)
            : BrokerError.Conflict(ErrorCodes.AlreadyCollected, "The credential was already handed out; it is handed out once.");
    }

    public async Task<Result<BreakGlassRequest>> ReviewAsync(OperatorCaller who, string id, string? outcome, string? notes, AuditContext audit, CancellationToken ct)
    {
        if (!LeaseId.LooksValid(id) || await store.FindAsync(id, ct) is not { } request)
        {
            return NotFound();
        }

        if (outcome is null || !Outcomes.Contains(outcome))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, $"The outcome must be one of {string.Join(", ", Outcomes)}.");
        }

        if (notes is { Length: > MaxNotesLength })
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, $"The notes are longer than {MaxNotesLength} characters.");
        }

        var target = $"break_glass:{id}";
        if (await PersonRequiredAsync(who, audit, AuditActions.BreakGlassReview, target, ct) is { } notAPerson)
        {
            return notAPerson;
        }

        if (request.Requester == who.TokenId || request.Approver == who.TokenId)
        {
            await AuditDenialAsync(audit, AuditActions.BreakGlassReview, target, "self_review_refused", ct);
            return new BrokerError(ErrorCodes.SelfReviewRefused, "A break-glass lease must be reviewed by someone other than its requester and its approver.", ErrorKind.Forbidden);
        }

        if (request.State != BreakGlassRequest.Issued)
        {
            return BrokerError.Conflict(ErrorCodes.BreakGlassNotIssued, "Only an issued break-glass lease can be reviewed.");
        }

        var now = clock.StoredNow();
        var record = new AuditRecord(now, audit, AuditActions.BreakGlassReview, target, AuditDecision.Allowed, $"outcome {outcome}");
        return await store.ReviewAsync(id, who.TokenId, outcome, notes, now, record, ct)
            ? (await store.FindAsync(id, ct))!
            : BrokerError.Conflict(ErrorCodes.AlreadyReviewed, "The break-glass lease has already been reviewed.");
    }

    public async Task<Result<BreakGlassRequest>> GetAsync(string id, CancellationToken ct) =>
        LeaseId.LooksValid(id) && await store.FindAsync(id, ct) is { } request ? request : NotFound();

    /// <summary>Most recent first, <paramref name="limit"/> at a time, after the request <paramref name="after"/> of the previous page.</summary>
    public async Task<Result<IReadOnlyList<BreakGlassRequest>>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct)
    {
        if (after is not null && !LeaseId.LooksValid(after))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidQuery, "'after' must be a request id from a previous page.");
        }

        return Result<IReadOnlyList<BreakGlassRequest>>.Success(await store.ListAsync(unreviewedOnly, after, limit, ct));
    }

    /// <summary>
    /// Housekeeping: pending requests past their window become expired; requests whose issuance died
    /// with its process are settled (issued, with their alert, when the lease is active; failed when it
    /// never was or has ended; left alone while still issuing); and every issued lease still unreviewed
    /// after the reminder age raises a reminder alert, once per that age. Safe to run twice.
    /// </summary>
    public async Task<BreakGlassSweep> SweepAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var expired = await store.ExpirePendingAsync(
            now, id => new AuditRecord(now, AuditContext.System, AuditActions.BreakGlassExpire, $"break_glass:{id}", AuditDecision.Allowed, "not approved within its window"), ct);
        var stranded = await store.StrandedAsync(now - StrandedAfter, ReminderBatch, ct);
        foreach (var (id, leaseLive) in stranded)
        {
            await SettleAsync(id, leaseLive ? id : null, now, ct);
        }

        var remindedBefore = now - settings.ReviewReminderAge;
        var due = await store.DueRemindersAsync(remindedBefore, remindedBefore, ReminderBatch, ct);
        var reminded = 0;
        foreach (var request in due)
        {
            var alert = BreakGlassAlert.Raise(BreakGlassAlertKinds.ReviewReminder, request.Id, now, alertRetry);
            if (await store.MarkRemindedAsync(request.Id, remindedBefore, now, alert, ct))
            {
                reminded++;
                await alerts.DeliverSoonAsync(alert.Id, ct);
            }
        }

        return new BreakGlassSweep(expired, stranded.Count, reminded);
    }

    private async Task<Result<BreakGlassOutcome>> IssueAsync(BreakGlassRequest request, RoleDefinition role, AuditContext audit, CancellationToken ct)
    {
        var now = clock.StoredNow();

        // Capped again here: the policy may have lowered the role's cap while the request waited for approval.
        var ttl = Duration.Min(Duration.FromSeconds(request.TtlSeconds), role.BreakGlass!.MaxTtl);

        // Not renewable, and its longest life is its first expiry: nothing may move it.
        var lease = new Lease(
            request.Id, role.Name, role.Provider, role.Secret, "", Issuer, request.Requester, Run, null, request.Incident, Run, Run,
            LeaseState.Issuing, now, now + ttl, now + ttl, Renewable: false, null, null, null, BreakGlass: true);
        var record = new AuditRecord(now, audit, AuditActions.BreakGlassIssue, $"lease:{lease.Id} break_glass:{request.Id} role:{role.Name}", AuditDecision.Allowed,
            $"incident {request.Incident}; requested by {request.RequesterActor}; expires {lease.ExpiresAt}");
        var issued = await minter.IssueDecidedAsync(lease, role, record, ct);

        // Whatever became of the caller: a written lease must be settled and alerted now, not by the sweep.
        await SettleAsync(request.Id, issued.IsSuccess ? issued.Value.Lease.Id : null, now, CancellationToken.None);
        return issued.IsSuccess
            ? new BreakGlassOutcome(request with { State = BreakGlassRequest.Issued, LeaseId = issued.Value.Lease.Id }, issued.Value)
            : issued.Error!;
    }

    /// <summary>
    /// Records how an approved request ended. Every issuance raises an alert, stored with the state
    /// change and delivered by a job with retries; the first to settle a request raises it.
    /// </summary>
    private async Task SettleAsync(string id, string? leaseId, Instant now, CancellationToken ct)
    {
        var alert = leaseId is null ? null : BreakGlassAlert.Raise(BreakGlassAlertKinds.Issued, id, now, alertRetry);
        if (await store.MarkIssuedAsync(id, leaseId, alert, ct) && alert is not null)
        {
            await alerts.DeliverSoonAsync(alert.Id, ct);
        }
    }

    private RoleDefinition? AllowedRole(string name) =>
        policy.Current.Roles.TryGetValue(name, out var role) && role.BreakGlass is { Allowed: true } ? role : null;

    private BrokerError? Check(BreakGlassCommand command)
    {
        if (ResourceName.Check(command.Role, "role") is { } badRole)
        {
            return badRole;
        }

        var justification = command.Justification?.Trim() ?? "";
        if (justification.Length < settings.MinJustificationLength)
        {
            return BrokerError.Invalid(ErrorCodes.JustificationTooShort, $"The justification must be at least {settings.MinJustificationLength} characters.");
        }

        if (justification.Length > MaxJustificationLength)
        {
            return BrokerError.Invalid(ErrorCodes.JustificationTooLong, $"The justification must be at most {MaxJustificationLength} characters.");
        }

        // Spaces and line breaks around it are trimmed; one inside would make a second line in the trail and the alert.
        if (!SingleLine.IsSingleLine(justification))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, "The justification must be one line, without control characters.");
        }

        if (string.IsNullOrWhiteSpace(command.Incident))
        {
            return BrokerError.Invalid(ErrorCodes.IncidentRequired, "An incident reference is required, e.g. INC-1234.");
        }

        if (!IncidentPattern().IsMatch(command.Incident))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidIncident, "The incident reference must look like INC-1234: letters, a dash, then digits.");
        }

        return command.Ttl is { } ttl && ttl <= Duration.Zero
            ? BrokerError.Invalid(ErrorCodes.InvalidTtl, "The TTL must be positive.")
            : null;
    }

    /// <summary>403 <c>person_required</c>, audited, when only people may take part and the caller is not one.</summary>
    private async Task<BrokerError?> PersonRequiredAsync(OperatorCaller who, AuditContext audit, string action, string target, CancellationToken ct)
    {
        if (!settings.PeopleOnly || who.IsPerson)
        {
            return null;
        }

        await AuditDenialAsync(audit, action, target, "person_required", ct);
        return new BrokerError(
            ErrorCodes.PersonRequired, "Break-glass takes people signed in through the identity provider (or tokens one of them made).", ErrorKind.Forbidden);
    }

    private Task AuditDenialAsync(AuditContext audit, string action, string target, string reason, CancellationToken ct) =>
        auditTrail.AppendAsync(new AuditRecord(clock.GetCurrentInstant(), audit, action, target, AuditDecision.Denied, reason), ct);

    private static BrokerError NotFound() => BrokerError.NotFound(ErrorCodes.BreakGlassRequestNotFound, "No such break-glass request.");

    private static BrokerError NotAllowed() =>
        new(ErrorCodes.BreakGlassNotAllowed, "The policy does not allow break-glass for this role.", ErrorKind.Forbidden);

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{0,15}-[0-9]{1,12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IncidentPattern();
}
