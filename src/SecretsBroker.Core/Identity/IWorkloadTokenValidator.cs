using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Identity;

/// <summary>Checks a CI platform's OIDC token against the trusted issuers; every failure is a <c>workload_token_invalid</c>-style error, never an exception.</summary>
public interface IWorkloadTokenValidator
{
    Task<Result<WorkloadIdentity>> ValidateAsync(string token, CancellationToken ct);
}
