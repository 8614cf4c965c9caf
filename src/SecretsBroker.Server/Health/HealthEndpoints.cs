using System.Reflection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Core.Database;
using SecretsBroker.Core.Policy;
using SecretsBroker.Server.Auth;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Health;

/// <summary>Liveness, readiness and the caller's view of the broker. None of them tells a secret.</summary>
internal static class HealthEndpoints
{
    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    internal static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet(Routes.Health, () => Results.Ok(new HealthReport("ok", new Dictionary<string, string>())))
            .WithName("CheckLiveness").WithSummary("Say whether the broker process is up")
            .Produces<HealthReport>();

        app.MapGet(Routes.Ready, async (BrokerSeal seal, IBrokerDatabase database, CancellationToken ct) =>
        {
            if (seal.IsSealed)
            {
                return Results.Json(new HealthReport("sealed", new Dictionary<string, string> { ["seal"] = "sealed" }), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var health = await database.ProbeAsync(ct);
            var checks = new Dictionary<string, string>
            {
                ["seal"] = "unsealed",
                ["database"] = health.Reachable ? "ok" : "unreachable",
                ["migrations"] = health.MigrationsApplied ? "ok" : "pending",
            };
            return health.MigrationsApplied
                ? Results.Ok(new HealthReport("ready", checks))
                : Results.Json(new HealthReport("not_ready", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithName("CheckReadiness").WithSummary("Say whether the broker is unsealed and its database ready")
            .Produces<HealthReport>().Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);

        app.MapGet(Routes.Status, (HttpContext http, BrokerNode node, IPolicySource policy) =>
            Results.Ok(new BrokerStatus(Version, CallerClaims.ActorOf(http.User), CallerClaims.ScopesOf(http.User), node.Writer.Node, PolicyHash(policy.Current))))
            .RequireAuthorization(ScopePolicies.AnyToken)
            .WithName("GetBrokerStatus").WithSummary("Show the broker's version and node, and the caller's actor and scopes")
            .Produces<BrokerStatus>();

        return app;
    }

    private static string? PolicyHash(PolicyDocument policy) => policy.Hash.Length == 0 ? null : policy.Hash;
}
