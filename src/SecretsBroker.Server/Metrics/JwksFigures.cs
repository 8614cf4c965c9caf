using Microsoft.Extensions.Options;
using Prometheus;
using SecretsBroker.Server.Humans;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// Key set refreshes per issuer: good ones, failed ones, and whether the latest failed. The labels are
/// the issuer's configured name and what it signs in (<see cref="Workloads"/> or <see cref="People"/>),
/// both from the broker's settings. Every configured issuer has its series from the start, at 0.
/// </summary>
public sealed class JwksFigures
{
    public const string Workloads = "workloads";
    public const string People = "people";

    private readonly Counter refreshes;
    private readonly Counter failures;
    private readonly Gauge failing;

    public JwksFigures(BrokerRegistry registry, IOptions<WorkloadOptions> workloads, IOptions<OperatorSignInOptions> people)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(registry);
        var make = registry.Make;
        const string p = BrokerRegistry.Prefix;
        string[] labels = ["issuer", "use"];
        refreshes = make.CreateCounter(p + "jwks_refreshes_total", "Key sets fetched or read and parsed, by issuer.", labels);
        failures = make.CreateCounter(p + "jwks_refresh_failures_total", "Key set fetches or reads that failed (the last good keys stay), by issuer.", labels);
        failing = make.CreateGauge(p + "jwks_refresh_failing", "1 while the latest key set fetch or read of the issuer failed, else 0.", labels);
        foreach (var issuer in workloads.Value.Issuers.Where(i => i.Name is not null))
        {
            For(Workloads, issuer.Name!);
        }

        foreach (var issuer in people.Value.Issuers.Where(i => i.Name is not null))
        {
            For(People, issuer.Name!);
        }
    }

    /// <summary>The figures of one configured issuer; its series exist, at 0, from the start.</summary>
    public Issuer For(string use, string issuer)
    {
        var figures = new Issuer(refreshes.WithLabels(issuer, use), failures.WithLabels(issuer, use), failing.WithLabels(issuer, use));
        figures.Publish();
        return figures;
    }

    public sealed class Issuer
    {
        private readonly Counter.Child refreshes;
        private readonly Counter.Child failures;
        private readonly Gauge.Child failing;

        internal Issuer(Counter.Child refreshes, Counter.Child failures, Gauge.Child failing)
        {
            this.refreshes = refreshes;
            this.failures = failures;
            this.failing = failing;
        }

        public void Refreshed()
        {
            refreshes.Inc();
            failing.Set(0);
        }

        public void Failed()
        {
            failures.Inc();
            failing.Set(1);
        }

        internal void Publish()
        {
            refreshes.Publish();
            failures.Publish();
            failing.Publish();
        }
    }
}
