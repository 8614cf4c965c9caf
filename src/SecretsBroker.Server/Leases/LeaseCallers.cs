using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Auth;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Leases;

/// <summary>Who is calling a lease endpoint: the workload identity set by its token, or an operator.</summary>
internal static class LeaseCallers
{
    public static LeaseCaller Of(HttpContext http)
    {
        // Only operators carry scopes; a workload's principal names its subject, not an operator id.
        var isOperator = CallerClaims.ScopesOf(http.User).Count > 0;
        return new(http.Features.Get<WorkloadIdentity>(), isOperator, RequestAudit.ContextOf(http), isOperator ? CallerClaims.CallerIdOf(http.User) : null);
    }

    public static WorkloadIdentity Workload(HttpContext http) =>
        http.Features.Get<WorkloadIdentity>() ?? throw new InvalidOperationException("The workload policy lets only workloads through.");
}
