using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using SecretsBroker.Contracts.Hooks;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Hooks;

/// <summary>
/// Takes a CI platform's webhook delivery: finds the trusted issuer whose secret it carries before
/// reading anything else, reads the few fields that say which run or job finished, and records the
/// completion, which revokes the leases. Any node can take any delivery: the store settles replays.
/// </summary>
internal sealed partial class HookReceiver(TrustedIssuers issuers, WebhookCompletions completions, BrokerMetrics metrics, IClock clock, ILogger<HookReceiver> logger)
{
    /// <summary>Larger than any run or job event (a GitLab pipeline event lists its jobs); smaller than what would let a caller make the broker hash megabytes.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<IResult> GitHubAsync(HttpContext http)
    {
        var candidates = Candidates(WorkloadDialect.GitHub);
        if (candidates.Count == 0)
        {
            return NotConfigured("GitHub");
        }

        var body = await BoundedBody.ReadAsync(http, MaxBodyBytes);
        if (!body.IsSuccess)
        {
            return Refuse(http, body.Error!);
        }

        if (GitHubHook.SignerOf(candidates, Header(http, GitHubHook.SignatureHeader), body.Value) is not { } issuer)
        {
            return Refuse(http, Unauthenticated($"{GitHubHook.SignatureHeader} is missing or does not verify under any GitHub issuer's webhook secret."));
        }

        if (Header(http, GitHubHook.DeliveryHeader) is not { } delivery || !DeliveryId().IsMatch(delivery))
        {
            return Refuse(http, BadHeader(GitHubHook.DeliveryHeader));
        }

        if (Header(http, GitHubHook.EventHeader) is not { } eventName || !EventName().IsMatch(eventName))
        {
            return Refuse(http, BadHeader(GitHubHook.EventHeader));
        }

        return await ReceiveAsync(http, issuer, delivery, body.Value, root => GitHubHook.Read(eventName, root));
    }

    public async Task<IResult> GitLabAsync(HttpContext http)
    {
        var candidates = Candidates(WorkloadDialect.GitLab);
        if (candidates.Count == 0)
        {
            return NotConfigured("GitLab");
        }

        if (GitLabHook.OwnerOf(candidates, Header(http, GitLabHook.TokenHeader)) is not { } issuer)
        {
            return Refuse(http, Unauthenticated($"{GitLabHook.TokenHeader} is missing or is no GitLab issuer's webhook secret."));
        }

        var body = await BoundedBody.ReadAsync(http, MaxBodyBytes);
        if (!body.IsSuccess)
        {
            return Refuse(http, body.Error!);
        }

        if ((Header(http, GitLabHook.RetryKeyHeader) ?? Header(http, GitLabHook.EventUuidHeader)) is not { } delivery || !DeliveryId().IsMatch(delivery))
        {
            return Refuse(http, BadHeader($"{GitLabHook.RetryKeyHeader} or {GitLabHook.EventUuidHeader}"));
        }

        return await ReceiveAsync(http, issuer, delivery, body.Value, GitLabHook.Read);
    }

    private async Task<IResult> ReceiveAsync(HttpContext http, TrustedIssuer issuer, string delivery, byte[] body, Func<JsonElement, Result<HookFinding>> read)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Refuse(http, new BrokerError(ErrorCodes.UnsupportedMediaType, "A webhook delivery must be sent as application/json.", ErrorKind.UnsupportedMediaType));
        }

        var parsed = HookJson.Parse(body);
        if (!parsed.IsSuccess)
        {
            return Refuse(http, parsed.Error!);
        }

        Result<HookFinding> found;
        using (var document = parsed.Value)
        {
            found = read(document.RootElement);
        }

        if (!found.IsSuccess)
        {
            return Refuse(http, found.Error!);
        }

        var finding = found.Value;
        if (finding.IsPing)
        {
            return Results.Ok(new HookReceipt("pong", 0));
        }

        if (!finding.Ends)
        {
            return Results.Accepted(value: new HookReceipt("ignored", 0));
        }

        var completion = new RunCompletion(
            issuer.Name, finding.Project!, finding.RunId!, finding.JobId, finding.Event, delivery, Convert.ToHexStringLower(SHA256.HashData(body)), clock.GetCurrentInstant());
        var outcome = await completions.CompleteAsync(completion, AuditOf(http, issuer), CancellationToken.None);
        var receipt = outcome.Replayed ? new HookReceipt("replayed", 0)
            : outcome.KnownRun ? new HookReceipt("completed", outcome.Revoked)
            : new HookReceipt("unknown_run", 0);
        HookLog.Received(logger, issuer.Name, finding.Event, delivery, completion.Target, receipt.Revoked, receipt.Outcome);
        metrics.CountRevocations(RevocationCauses.Webhook, receipt.Revoked);
        return receipt.Outcome == "unknown_run" ? Results.Accepted(value: receipt) : Results.Ok(receipt);
    }

    private List<TrustedIssuer> Candidates(WorkloadDialect dialect) =>
        issuers.All.Where(i => i.Dialect == dialect && i.WebhookSecret is not null).ToList();

    /// <summary>The platform acts as itself: the trail names the issuer whose secret the delivery carried.</summary>
    private static AuditContext AuditOf(HttpContext http, TrustedIssuer issuer) =>
        RequestAudit.ContextOf(http) with { Actor = $"webhook:{issuer.Name}" };

    private BrokerProblem Refuse(HttpContext http, BrokerError error)
    {
        HookLog.Refused(logger, http.Request.Path.Value ?? "", error.Code);
        return new BrokerProblem(error);
    }

    private static BrokerProblem NotConfigured(string platform) =>
        new BrokerProblem(BrokerError.NotFound(ErrorCodes.HookNotConfigured, $"No {platform} issuer has a webhook configured (Workloads:Issuers:N:Webhook)."));

    private static BrokerError Unauthenticated(string message) => new(ErrorCodes.HookUnauthenticated, message, ErrorKind.Unauthenticated);

    private static BrokerError BadHeader(string header) => BrokerError.Invalid(ErrorCodes.InvalidHookEvent, $"The delivery has no valid {header} header.");

    /// <summary>The header's one value; null when it is absent, empty or given twice.</summary>
    private static string? Header(HttpContext http, string name) =>
        http.Request.Headers.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    // GitHub's GUIDs, GitLab's UUIDs: letters, digits and dashes, nothing that could break a log line.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex DeliveryId();

    [GeneratedRegex(@"^[a-z_]{1,64}\z")]
    private static partial Regex EventName();
}
