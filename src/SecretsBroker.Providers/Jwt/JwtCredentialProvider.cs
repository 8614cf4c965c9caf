using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Providers.Jwt;

/// <summary>
/// Mints an ES256 JWT for a downstream service: subject and <c>jti</c> are the lease id, the audience
/// comes from the role (setting <c>audience</c>), claims carry the run, step and purpose, and
/// <c>exp</c> is the lease's expiry, so the token dies on its own even if the broker is down.
/// Revocation needs nothing downstream: introspection answers <c>active: false</c> from the lease.
/// </summary>
public sealed class JwtCredentialProvider(SigningKeys keys, JwtSettings settings) : ICredentialProvider
{
    public const string AudienceSetting = "audience";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Name => "jwt";

    /// <summary>A JWT exists only in the answer; nothing downstream can be orphaned by a crash.</summary>
    public bool MintsDownstream => false;

    public string HandleFor(string leaseId) => leaseId;

    public Task<Result<IReadOnlyDictionary<string, string>>> MintAsync(Lease lease, RoleDefinition role, CancellationToken ct) =>
        SignAsync(lease, role, ct);

    /// <summary>A JWT's expiry is inside it, so a renewal is a new token for the same lease.</summary>
    public Task<Result<IReadOnlyDictionary<string, string>>> RenewAsync(Lease lease, RoleDefinition role, CancellationToken ct) =>
        SignAsync(lease, role, ct);

    public Task<Result<bool>> RevokeAsync(Lease lease, CancellationToken ct) => Task.FromResult(Result<bool>.Success(true));

    private async Task<Result<IReadOnlyDictionary<string, string>>> SignAsync(Lease lease, RoleDefinition role, CancellationToken ct)
    {
        if (!role.Settings.TryGetValue(AudienceSetting, out var audience))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, $"Role '{role.Name}' has no '{AudienceSetting}' setting.");
        }

        var signing = await keys.CurrentAsync(lease.Secret, ct);
        if (!signing.IsSuccess)
        {
            return signing.Error!;
        }

        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = audience,
            IssuedAt = lease.IssuedAt.ToDateTimeUtc(),
            NotBefore = lease.IssuedAt.ToDateTimeUtc(),
            Expires = lease.ExpiresAt.ToDateTimeUtc(),
            SigningCredentials = signing.Value,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = lease.Id,
                [JwtRegisteredClaimNames.Jti] = lease.Id,
                ["run"] = lease.RunId,
                ["step"] = lease.Step,
                ["purpose"] = lease.Purpose,
                ["role"] = lease.Role,
            },
        });
        return new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type"] = "Bearer",
        };
    }
}
