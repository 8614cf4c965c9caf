using System.Net;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.BreakGlass;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;

namespace SecretsBroker.Cli;

/// <summary>The broker's HTTP API as typed calls; every failure surfaces as a <see cref="CommandFailedException"/>.</summary>
internal sealed class BrokerClient(BrokerTransport transport)
{
    public bool HasToken => transport.HasToken;

    /// <summary>True when the bearer is a CI job's OIDC token rather than an operator token.</summary>
    public bool HasWorkloadToken => transport.HasWorkloadToken;

    /// <summary><c>GET /readyz</c>: a sealed broker answers 503 with the same report, which is an answer, not a failure.</summary>
    public async Task<Readiness> GetReadinessAsync(CancellationToken cancellationToken)
    {
        using var response = await transport.SendAsync(HttpMethod.Get, Routes.Ready, body: null, authenticated: false, cancellationToken);
        var notReadyReport = response.StatusCode == HttpStatusCode.ServiceUnavailable && !FailedResponse.IsProblem(response);
        if (!response.IsSuccessStatusCode && !notReadyReport)
        {
            throw await FailedResponse.ToFailureAsync(response, cancellationToken);
        }

        var report = await BrokerTransport.ReadAsync<HealthReport>(response, cancellationToken);
        return new Readiness(response.IsSuccessStatusCode, report);
    }

    public Task<BrokerStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        transport.CallAsync<BrokerStatus>(HttpMethod.Get, Routes.Status, body: null, cancellationToken);

    public async Task<PutSecretResult> PutSecretAsync(string name, PutSecretRequest request, CancellationToken cancellationToken)
    {
        using var response = await transport.SendAsync(HttpMethod.Put, SecretPath(name), request, authenticated: true, cancellationToken);
        await BrokerTransport.EnsureSuccessAsync(response, cancellationToken);
        var secret = await BrokerTransport.ReadAsync<SecretMetadata>(response, cancellationToken);
        return new PutSecretResult(secret, Created: response.StatusCode == HttpStatusCode.Created);
    }

    public Task<SecretList> ListSecretsAsync(CancellationToken cancellationToken) =>
        transport.CallAsync<SecretList>(HttpMethod.Get, Routes.Secrets, body: null, cancellationToken);

    public Task<SecretMetadata> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        transport.CallAsync<SecretMetadata>(HttpMethod.Get, SecretPath(name), body: null, cancellationToken);

    public Task<SecretMetadata> RotateSecretAsync(string name, CancellationToken cancellationToken) =>
        transport.CallAsync<SecretMetadata>(HttpMethod.Post, SecretPath(name) + "/rotate", body: null, cancellationToken);

    public Task DeleteSecretAsync(string name, CancellationToken cancellationToken) =>
        transport.CallAsync(HttpMethod.Delete, SecretPath(name), cancellationToken);

    public Task<CreatedToken> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken) =>
        transport.CallAsync<CreatedToken>(HttpMethod.Post, Routes.Tokens, request, cancellationToken);

    public Task<TokenList> ListTokensAsync(CancellationToken cancellationToken) =>
        transport.CallAsync<TokenList>(HttpMethod.Get, Routes.Tokens, body: null, cancellationToken);

    public Task RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync(HttpMethod.Delete, $"{Routes.Tokens}/{Uri.EscapeDataString(id)}", cancellationToken);

    public Task<AuditPage> GetAuditPageAsync(long? after, int? limit, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (after is { } seq)
        {
            query.Add($"after={seq}");
        }

        if (limit is { } count)
        {
            query.Add($"limit={count}");
        }

        var path = query.Count == 0 ? Routes.Audit : $"{Routes.Audit}?{string.Join('&', query)}";
        return transport.CallAsync<AuditPage>(HttpMethod.Get, path, body: null, cancellationToken);
    }

    public Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken) =>
        transport.CallAsync<AuditVerification>(HttpMethod.Get, Routes.AuditVerify, body: null, cancellationToken);

    /// <summary><c>POST /v1/leases</c>: 201 for a new lease, 200 when a retry gets back the lease already issued.</summary>
    public async Task<IssuedLeaseResponse> IssueLeaseAsync(IssueLeaseRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var headers = idempotencyKey is null ? null : new Dictionary<string, string> { [Routes.IdempotencyKeyHeader] = idempotencyKey };
        using var response = await transport.SendAsync(HttpMethod.Post, Routes.Leases, request, authenticated: true, headers, cancellationToken);
        await BrokerTransport.EnsureSuccessAsync(response, cancellationToken);
        return await BrokerTransport.ReadAsync<IssuedLeaseResponse>(response, cancellationToken);
    }

    public Task<LeaseInfo> GetLeaseAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync<LeaseInfo>(HttpMethod.Get, LeasePath(id), body: null, cancellationToken);

    public Task<IssuedLeaseResponse> RenewLeaseAsync(string id, RenewLeaseRequest request, CancellationToken cancellationToken) =>
        transport.CallAsync<IssuedLeaseResponse>(HttpMethod.Post, $"{LeasePath(id)}/renew", request, cancellationToken);

    /// <summary><c>DELETE /v1/leases/{id}</c>: the answer is the lease, normally in state revoking.</summary>
    public Task<LeaseInfo> RevokeLeaseAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync<LeaseInfo>(HttpMethod.Delete, LeasePath(id), body: null, cancellationToken);

    /// <summary><c>POST /v1/runs/{run}/complete</c>; <paramref name="issuer"/> names the run's CI platform for an operator.</summary>
    public Task<RunCompletion> CompleteRunAsync(string run, string? issuer, CancellationToken cancellationToken)
    {
        var path = $"{Routes.Runs}/{Uri.EscapeDataString(run)}/complete";
        if (issuer is not null)
        {
            path += $"?issuer={Uri.EscapeDataString(issuer)}";
        }

        return transport.CallAsync<RunCompletion>(HttpMethod.Post, path, body: null, cancellationToken);
    }

    /// <summary><c>POST /v1/identities/revoke</c>: every live lease of the identity to revoking, optionally blocking it.</summary>
    public Task<IdentityRevocationResult> RevokeIdentityAsync(RevokeIdentityRequest request, CancellationToken cancellationToken) =>
        transport.CallAsync<IdentityRevocationResult>(HttpMethod.Post, $"{Routes.Identities}/revoke", request, cancellationToken);

    public Task<IdentityUnblocked> UnblockIdentityAsync(UnblockIdentityRequest request, CancellationToken cancellationToken) =>
        transport.CallAsync<IdentityUnblocked>(HttpMethod.Post, $"{Routes.Identities}/unblock", request, cancellationToken);

    public Task<RevocationStatus> GetRevocationAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync<RevocationStatus>(HttpMethod.Get, $"{Routes.Revocations}/{Uri.EscapeDataString(id)}", body: null, cancellationToken);

    public Task<IdentityPage> ListIdentitiesAsync(long? after, int? limit, CancellationToken cancellationToken) =>
        transport.CallAsync<IdentityPage>(HttpMethod.Get, WithQuery(Routes.Identities, new Dictionary<string, string?>
        {
            ["after"] = after?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["limit"] = limit?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }), body: null, cancellationToken);

    public Task<LeasePage> ListLeasesAsync(IReadOnlyDictionary<string, string?> filters, CancellationToken cancellationToken) =>
        transport.CallAsync<LeasePage>(HttpMethod.Get, WithQuery(Routes.Leases, filters), body: null, cancellationToken);

    private static string WithQuery(string path, IReadOnlyDictionary<string, string?> query)
    {
        var set = query.Where(q => q.Value is not null).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        return set.Count == 0 ? path : $"{path}?{string.Join('&', set)}";
    }

    /// <summary><c>POST /v1/break-glass</c>: 201 with the lease, or 202 while a second operator's approval is awaited.</summary>
    public Task<BreakGlassResponse> RequestBreakGlassAsync(BreakGlassRequestBody body, CancellationToken cancellationToken) =>
        transport.CallAsync<BreakGlassResponse>(HttpMethod.Post, Routes.BreakGlass, body, cancellationToken);

    public Task<BreakGlassResponse> ApproveBreakGlassAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync<BreakGlassResponse>(HttpMethod.Post, $"{BreakGlassPath(id)}/approve", body: null, cancellationToken);

    public Task<BreakGlassResponse> CollectBreakGlassAsync(string id, CancellationToken cancellationToken) =>
        transport.CallAsync<BreakGlassResponse>(HttpMethod.Post, $"{BreakGlassPath(id)}/credential", body: null, cancellationToken);

    public Task<BreakGlassInfo> ReviewBreakGlassAsync(string id, BreakGlassReviewBody body, CancellationToken cancellationToken) =>
        transport.CallAsync<BreakGlassInfo>(HttpMethod.Post, $"{BreakGlassPath(id)}/review", body, cancellationToken);

    public Task<BreakGlassPage> ListBreakGlassAsync(bool unreviewed, string? after, int? limit, CancellationToken cancellationToken) =>
        transport.CallAsync<BreakGlassPage>(HttpMethod.Get, WithQuery(Routes.BreakGlass, new Dictionary<string, string?>
        {
            ["unreviewed"] = unreviewed ? "true" : null,
            ["after"] = after,
            ["limit"] = limit?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }), body: null, cancellationToken);

    private static string BreakGlassPath(string id) => $"{Routes.BreakGlass}/{Uri.EscapeDataString(id)}";

    private static string LeasePath(string id) => $"{Routes.Leases}/{Uri.EscapeDataString(id)}";

    private static string SecretPath(string name) => $"{Routes.Secrets}/{Uri.EscapeDataString(name)}";
}
