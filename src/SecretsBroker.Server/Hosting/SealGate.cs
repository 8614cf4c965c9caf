using SecretsBroker.Contracts;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// While sealed, every request but the health checks, <c>/metrics</c> (which shows the seal) and the OpenAPI
/// document (the API's shape does not depend on the key) gets 503 <c>broker_sealed</c> and touches nothing.
/// </summary>
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
            if (ServedWhileSealed(http.Request.Path) && http.GetEndpoint()?.RequestDelegate is { } keyless)
            {
                await keyless(http);
                return;
            }

            await BrokerProblem.WriteAsync(http, new BrokerError(ErrorCodes.BrokerSealed, "The broker is sealed: it does not have the right master key.", ErrorKind.Unavailable));
        });

    private static bool ServedWhileSealed(PathString path) =>
        path == Routes.Health || path == Routes.Ready || path == Metrics.MetricsEndpoint.Path || path == OpenApi.OpenApiSetup.DocumentPath;
}
