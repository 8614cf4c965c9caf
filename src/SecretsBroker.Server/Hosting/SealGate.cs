using SecretsBroker.Contracts;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Hosting;

/// <summary>While sealed, every request but the health checks and <c>/metrics</c> (which shows the seal) gets 503 <c>broker_sealed</c> and touches nothing.</summary>
internal static class SealGate
{
    internal static IApplicationBuilder UseSealGate(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var seal = http.RequestServices.GetRequiredService<BrokerSeal>();
            if (!seal.IsSealed)
            {
                await next(http);
                return;
            }

            // Answered here, before authentication: building the token handler needs the master key.
            if ((http.Request.Path == Routes.Health || http.Request.Path == Routes.Ready || http.Request.Path == Metrics.MetricsEndpoint.Path) && http.GetEndpoint()?.RequestDelegate is { } healthCheck)
            {
                await healthCheck(http);
                return;
            }

            await BrokerProblem.WriteAsync(http, new BrokerError(ErrorCodes.BrokerSealed, "The broker is sealed: it does not have the right master key.", ErrorKind.Unavailable));
        });
}
