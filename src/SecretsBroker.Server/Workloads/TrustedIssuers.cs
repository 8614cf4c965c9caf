using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Workloads;

/// <summary>The trusted issuers from <see cref="WorkloadOptions"/>, found by their exact <c>iss</c>.</summary>
internal sealed class TrustedIssuers : IDisposable
{
    private readonly Dictionary<string, TrustedIssuer> byIssuer;

    public TrustedIssuers(IOptions<WorkloadOptions> options, IClock clock, IHttpClientFactory http, JwksFigures figures, ILogger<TrustedIssuers> logger)
    {
        var o = options.Value;
        All = o.Issuers.Select(i =>
        {
            // The options validator has checked every value used here.
            var dialect = WorkloadDialect.Find(i.Dialect)!;
            var keys = JwksSource.For(i, o, clock, http, figures.For(JwksFigures.Workloads, i.Name!), logger);
            return new TrustedIssuer(
                i.Name!,
                i.Issuer!,
                i.Audience!,
                SigningAlgorithms.Allowed(i.Algorithms),
                dialect,
                i.RunClaim ?? dialect.RunClaim,
                i.JobClaim ?? dialect.JobClaim,
                i.ProjectClaim ?? dialect.ProjectClaim,
                keys,
                i.Webhook?.SecretFile is { } file ? WebhookSecret.Bytes(file) : null);
        }).ToList();
        byIssuer = All.ToDictionary(i => i.Issuer, StringComparer.Ordinal);
    }

    public IReadOnlyList<TrustedIssuer> All { get; }

    public TrustedIssuer? Find(string? issuer) =>
        issuer is not null && byIssuer.TryGetValue(issuer, out var trusted) ? trusted : null;

    public void Dispose()
    {
        foreach (var issuer in All)
        {
            issuer.Keys.Dispose();
        }
    }
}
