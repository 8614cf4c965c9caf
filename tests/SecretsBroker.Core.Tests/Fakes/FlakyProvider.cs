using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>A provider whose revocations fail until <see cref="FailuresLeft"/> runs out; counts every call.</summary>
internal sealed class FlakyProvider(string name = "fake", bool mintsDownstream = true) : ICredentialProvider
{
    public int MintCalls { get; private set; }

    public bool MintsDownstream => mintsDownstream;

    public int FailuresLeft { get; set; }

    public int RevokeCalls { get; private set; }

    public string Name => name;

    public string HandleFor(string leaseId) => "h_" + leaseId;

    /// <summary>Called as the provider mints, to look at what the broker has committed by then.</summary>
    public Action<Lease>? OnMint { get; set; }

    public Task<Result<IReadOnlyDictionary<string, string>>> MintAsync(Lease lease, RoleDefinition role, CancellationToken ct)
    {
        MintCalls++;
        OnMint?.Invoke(lease);
        return Task.FromResult(Result<IReadOnlyDictionary<string, string>>.Success(new Dictionary<string, string> { ["secret"] = "minted-" + lease.Id }));
    }

    public Task<Result<IReadOnlyDictionary<string, string>>> RenewAsync(Lease lease, RoleDefinition role, CancellationToken ct) =>
        Task.FromResult(Result<IReadOnlyDictionary<string, string>>.Success(new Dictionary<string, string>()));

    public Task<Result<bool>> RevokeAsync(Lease lease, CancellationToken ct)
    {
        RevokeCalls++;
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new InvalidOperationException("target down");
        }

        return Task.FromResult(Result<bool>.Success(true));
    }
}
