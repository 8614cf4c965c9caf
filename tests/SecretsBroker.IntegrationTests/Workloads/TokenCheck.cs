using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Workloads;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Validates tokens through the broker's own validator (its configuration, its clock) and asserts the outcome.</summary>
internal static class TokenCheck
{
    public static Task<Result<WorkloadIdentity>> ValidateTokenAsync(this TestBroker broker, string token) =>
        broker.Services.GetRequiredService<IWorkloadTokenValidator>().ValidateAsync(token, CancellationToken.None);

    /// <summary>Asserts the token was refused the one way every refusal looks, for the reason given.</summary>
    public static BrokerError Refused(Result<WorkloadIdentity> result, string reason)
    {
        Assert.False(result.IsSuccess, $"Expected a refusal ({reason}), but the token was accepted.");
        var error = result.Error!;
        Assert.Equal(ErrorCodes.WorkloadTokenInvalid, error.Code);
        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal(reason, WorkloadTokenRejection.ReasonOf(error));
        return error;
    }

    /// <summary>The accepted identity, or a failure that says why the token was refused.</summary>
    public static WorkloadIdentity Accepted(Result<WorkloadIdentity> result)
    {
        Assert.True(result.IsSuccess, $"Expected the token to be accepted, but: {result.Error?.Message}");
        return result.Value;
    }
}
