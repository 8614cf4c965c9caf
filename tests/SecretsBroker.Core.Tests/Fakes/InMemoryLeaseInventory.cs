using NodaTime;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>The security team's view of an <see cref="InMemoryLeaseStore"/>'s leases, filtered as the SQL inventory filters.</summary>
internal sealed class InMemoryLeaseInventory(InMemoryLeaseStore leases) : ILeaseInventory
{
    public Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, Instant now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Lease>>(leases.Snapshot()
            .Where(l => string.CompareOrdinal(l.Id, after ?? "") > 0 && Matches(filter, l, now.AtStoredPrecision()))
            .OrderBy(l => l.Id, StringComparer.Ordinal)
            .Take(limit)
            .ToList());

    private static bool Matches(LeaseFilter filter, Lease l, Instant now) =>
        (filter.Issuer is null || l.Issuer == filter.Issuer)
        && (filter.Subject is null || l.Subject == filter.Subject)
        && (filter.Run is null || l.RunId == filter.Run)
        && (filter.Role is null || l.Role == filter.Role)
        && (filter.BreakGlass is null || l.BreakGlass == filter.BreakGlass)
        && filter.State switch
        {
            null => true,
            LeaseState.Active => l.State == LeaseState.Active && l.ExpiresAt > now,
            LeaseState.Expired => l.State == LeaseState.Active && l.ExpiresAt <= now,
            _ => l.State == filter.State,
        };
}
