using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// What the identity fake needs of the lease rows. Its work runs under this store's lock, as the SQL
/// stores run a revocation in the transaction that ends the leases: an insert lands wholly before a
/// revocation (and is ended by it) or wholly after (and stays live).
/// </summary>
internal sealed partial class InMemoryLeaseStore
{
    // The revocation that ended a lease, as the SQL stores keep it in lease.revocation_id.
    private readonly Dictionary<string, string> revocationOfLease = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="work"/> over every lease as stored, under this store's lock.</summary>
    public T Locked<T>(Func<IEnumerable<Lease>, T> work)
    {
        lock (gate)
        {
            return work(Rows.Values.Select(r => r.Lease));
        }
    }

    /// <summary>
    /// Under this store's lock: every live lease <paramref name="which"/> picks to <c>revoking</c> with
    /// <paramref name="reason"/>, marked with <paramref name="revocationId"/>; then <paramref name="commit"/>
    /// with their count, before any other write sees them.
    /// </summary>
    public T EndLive<T>(Func<Lease, bool> which, string reason, Instant now, string revocationId, Func<int, T> commit)
    {
        lock (gate)
        {
            var ids = Rows.Where(kv => kv.Value.Lease.State is LeaseState.Issuing or LeaseState.Active && which(kv.Value.Lease)).Select(kv => kv.Key).ToList();
            foreach (var id in ids)
            {
                Rows[id] = ToRevoking(Rows[id], reason, now);
                revocationOfLease[id] = revocationId;
            }

            return commit(ids.Count);
        }
    }

    /// <summary>The leases <paramref name="revocationId"/> ended, as stored now.</summary>
    public IReadOnlyList<Lease> EndedBy(string revocationId)
    {
        lock (gate)
        {
            return revocationOfLease.Where(kv => kv.Value == revocationId).Select(kv => Rows[kv.Key].Lease).ToList();
        }
    }
}
