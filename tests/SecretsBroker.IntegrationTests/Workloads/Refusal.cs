using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Asserts a workload token was refused the one way every refusal looks, for the reason given.</summary>
internal static class Refusal
{
    public static BrokerError Assert(Result<WorkloadIdentity> result, string reason)
    {
        Xunit.Assert.False(result.IsSuccess, $"Expected a refusal ({reason}), but the token was accepted.");
        var error = result.Error!;
        Xunit.Assert.Equal(ErrorCodes.WorkloadTokenInvalid, error.Code);
        Xunit.Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Xunit.Assert.Equal(reason, WorkloadTokenRejection.ReasonOf(error));
        return error;
    }

    /// <summary>The accepted identity, or a failure that says why the token was refused.</summary>
    public static WorkloadIdentity Accepted(Result<WorkloadIdentity> result)
    {
        Xunit.Assert.True(result.IsSuccess, $"Expected the token to be accepted, but: {result.Error?.Message}");
        return result.Value;
    }
}
