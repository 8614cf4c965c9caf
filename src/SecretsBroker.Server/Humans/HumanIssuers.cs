using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Humans;

/// <summary>One identity provider for people, resolved: keys ready to be fetched, groups by the scope they grant.</summary>
internal sealed record HumanIssuer(
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<string> Algorithms,
    JwksSource Keys,
    string NameClaim,
    string GroupsClaim,
    IReadOnlyDictionary<string, IReadOnlyList<string>> GroupsByScope) : ITokenIssuer;

/// <summary>The identity providers from <see cref="OperatorSignInOptions"/>, found by their exact <c>iss</c>.</summary>
internal sealed class HumanIssuers : IDisposable
{
    private readonly Dictionary<string, HumanIssuer> byIssuer;

    public HumanIssuers(IOptions<OperatorSignInOptions> options, IOptions<WorkloadOptions> timing, IClock clock, IHttpClientFactory http, JwksFigures figures, ILogger<HumanIssuers> logger)
    {
        All = options.Value.Issuers.Select(i => new HumanIssuer(
            i.Name!,
            i.Issuer!,
            i.Audience!,
            SigningAlgorithms.Allowed(i.Algorithms),
            JwksSource.For(i, timing.Value, clock, http, figures.For(JwksFigures.People, i.Name!), logger),
            i.NameClaim,
            i.GroupsClaim,
            i.Scopes.ToDictionary(s => s.Key, s => (IReadOnlyList<string>)[.. s.Value], StringComparer.Ordinal))).ToList();
        byIssuer = All.ToDictionary(i => i.Issuer, StringComparer.Ordinal);
    }

    public IReadOnlyList<HumanIssuer> All { get; }

    public HumanIssuer? Find(string? issuer) =>
        issuer is not null && byIssuer.TryGetValue(issuer, out var trusted) ? trusted : null;

    public void Dispose()
    {
        foreach (var issuer in All)
        {
            issuer.Keys.Dispose();
        }
    }
}
