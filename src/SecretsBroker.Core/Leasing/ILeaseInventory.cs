namespace SecretsBroker.Core.Leasing;

/// <summary>The security team's view of leases: filtered, page by page, in lease id order.</summary>
public interface ILeaseInventory
{
    Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, CancellationToken ct);
}

/// <summary>Filters of <c>GET /v1/leases</c>; a null field does not filter.</summary>
public sealed record LeaseFilter(string? Issuer, string? Subject, string? Run, string? Role, string? State, bool? BreakGlass = null);
