using SecretsBroker.Contracts;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Hosting;

/// <summary>While sealed, every request but the health checks gets 503 <c>broker_sealed</c> and touches nothing.</summary>
internal static class SealGate
{
    internal static IApplicationBuilder UseSealGate(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var seal = http.RequestServices.GetRequiredService<BrokerSeal>();
            if (seal.IsSealed && http.Request.Path != Routes.Health && http.Request.Path != Routes.Ready)
            {
                await BrokerProblem.WriteAsync(http, new BrokerError(ErrorCodes.BrokerSealed, "The broker is sealed: it does not have the right master key.", ErrorKind.Unavailable));
                return;
            }

            await next(http);
        });
}
