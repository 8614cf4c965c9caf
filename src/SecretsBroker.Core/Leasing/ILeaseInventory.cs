namespace SecretsBroker.Core.Leasing;

/// <summary>The security team's view of leases: filtered, page by page, in lease id order.</summary>
public interface ILeaseInventory
{
    /// <summary>The state filter means what readers see at <paramref name="now"/>: <c>active</c> leases are unexpired, <c>expired</c> ones are active leases past expiry.</summary>
    Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, NodaTime.Instant now, CancellationToken ct);
}

/// <summary>Filters of <c>GET /v1/leases</c>; a null field does not filter.</summary>
public sealed record LeaseFilter(string? Issuer, string? Subject, string? Run, string? Role, string? State, bool? BreakGlass = null);
