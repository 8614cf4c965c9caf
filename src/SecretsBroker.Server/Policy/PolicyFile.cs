using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Policy;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Policy;

/// <summary>
/// The policy in force, from the file <c>Policy:File</c>. Loaded when the broker starts, where a
/// broken file stops the broker; then watched, and reloaded on change, where a broken file is
/// refused and the last good policy stays. Every load and every refusal is audited. Starts as a
/// hosted service, so after the unsealer has run: while the broker is sealed the trail cannot be
/// written, and the load is logged instead.
/// </summary>
public sealed class PolicyFile(
    IOptions<PolicyOptions> options, BrokerSeal seal, BrokerNode node, IAuditStore audit, PolicyFigures figures, IClock clock, ILogger<PolicyFile> logger)
    : IPolicySource, IHostedService, IDisposable
{
    private const int MaxAuditReasonLength = 500;
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly CancellationTokenSource stopping = new();
    private PolicyDocument current = PolicyDocument.Empty;
    private string? lastSeen;
    private PolicyFileWatcher? watcher;
    private Task? watching;

    public PolicyDocument Current => Volatile.Read(ref current);

    /// <summary>The policy file's full path, or null when none is configured.</summary>
    public string? Path => options.Value.FullPath;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path is not { } path)
        {
            PolicyLog.NoPolicyFile(logger);
            return;
        }

        // Watching starts before the first read, so a change made in between is not missed.
        watcher = new PolicyFileWatcher(path, options.Value, Debounce, logger);
        var file = Read(path);
        lastSeen = file.Seen;
        var result = file.Parse(path);
        if (!result.IsValid)
        {
            PolicyLog.InvalidAtStart(logger, path);
            foreach (var error in result.Errors)
            {
                PolicyLog.Error(logger, error.ToString());
            }

            throw new InvalidOperationException(
                $"Policy:File {path} is not a valid policy, so the broker does not start:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", result.Errors));
        }

        await AcceptAsync(path, result, cancellationToken);
        watching = watcher.RunAsync(ct => CheckAsync(path, ct), stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (watching is null)
        {
            return;
        }

        await stopping.CancelAsync();
        try
        {
            await watching.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }
    }

    public void Dispose()
    {
        watcher?.Dispose();
        stopping.Dispose();
    }

    /// <summary>Reads the file again and, when its bytes differ from the last read, loads or refuses it.</summary>
    private async Task CheckAsync(string path, CancellationToken ct)
    {
        // Polled every few seconds: only bytes not seen before are parsed, and only they are audited.
        var file = Read(path);
        if (file.Seen == lastSeen)
        {
            return;
        }

        lastSeen = file.Seen;
        var result = file.Parse(path);
        if (result.IsValid)
        {
            await AcceptAsync(path, result, ct);
            return;
        }

        var hash = result.Hash ?? "(unreadable)";
        figures.CountRefusal();
        PolicyLog.Refused(logger, path, hash, result.Errors.Count);
        foreach (var error in result.Errors)
        {
            PolicyLog.Error(logger, error.ToString());
        }

        var first = result.Errors[0];
        var more = result.Errors.Count > 1 ? $"; {result.Errors.Count - 1} more" : "";
        var reason = $"sha256 {hash}: {System.IO.Path.GetFileName(first.File)}:{first.Line}:{first.Column}: {first.Message}{more}";
        await AuditAsync(path, AuditDecision.Rejected, reason, ct);
    }

    private async Task AcceptAsync(string path, PolicyParseResult result, CancellationToken ct)
    {
        var policy = result.Document!;

        // Audited before it is in force: no decision is ever made under a policy the trail does not show.
        await AuditAsync(path, AuditDecision.Allowed, $"sha256 {policy.Hash}", ct);
        Volatile.Write(ref current, policy);
        figures.CountLoad();
        PolicyLog.Loaded(logger, path, policy.Roles.Count, policy.Rules.Count, policy.Hash);
    }

    private async Task AuditAsync(string path, string decision, string reason, CancellationToken ct)
    {
        if (seal.IsSealed)
        {
            PolicyLog.NotAudited(logger, path, decision);
            return;
        }

        // Each node reads its own file: the node in the reason is how a node with a stale policy shows in the trail.
        var target = $"policy:{System.IO.Path.GetFileName(path)}";
        reason = $"node {node.Writer.Node}: {reason}";
        var shortReason = reason.Length > MaxAuditReasonLength ? reason[..MaxAuditReasonLength] + "…" : reason;
        await audit.AppendAsync(new AuditRecord(clock.GetCurrentInstant(), AuditContext.System, AuditActions.PolicyLoad, target, decision, shortReason), ct);
    }

    private static FileRead Read(string path)
    {
        var (content, error) = PolicyParser.ReadFile(path);
        return new FileRead(content, error, content is null ? "unreadable: " + error!.Message : PolicyParser.Hash(content));
    }

    /// <summary>The file's bytes or why they could not be read, and what tells this version from others: its hash, or the reason.</summary>
    private sealed record FileRead(byte[]? Content, PolicyError? Error, string Seen)
    {
        public PolicyParseResult Parse(string path) =>
            Content is null ? new PolicyParseResult(null, [Error!], null) : PolicyParser.Parse(path, Content);
    }
}
