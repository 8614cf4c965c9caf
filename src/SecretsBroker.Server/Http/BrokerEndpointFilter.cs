using SecretsBroker.Core.Audit;

namespace SecretsBroker.Server.Http;

/// <summary>
/// Runs around every broker endpoint: answers for a body that failed to bind, and audits every
/// rejected request with its error code.
/// </summary>
public sealed class BrokerEndpointFilter(RequestAudit audit) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var badBody = context.Arguments.OfType<IJsonBody>().FirstOrDefault(b => b.Problem is not null);
        var result = badBody is not null ? new BrokerProblem(badBody.Problem!) : await next(context);
        if (result is BrokerProblem problem)
        {
            await audit.RecordAsync(context.HttpContext, AuditDecision.Rejected, problem.Error.Code);
        }

        return result;
    }
}
