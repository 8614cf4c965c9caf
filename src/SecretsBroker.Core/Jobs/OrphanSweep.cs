using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Lists what the broker created in each downstream target and removes whatever no live lease
/// accounts for (a lease in issuing, active, revoking or revoke_failed). Each removal is audited.
/// A target that cannot be reached is skipped and tried again on the next pass.
/// </summary>
public sealed class OrphanSweep(ILeaseStore leases, ISecretStore secrets, IEnumerable<IDownstreamInventory> inventories, IAuditStore audit, IClock clock)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var removed = 0;
        var targets = await secrets.ListAsync(ct);
        foreach (var inventory in inventories)
        {
            foreach (var target in targets.Where(s => s.Type == inventory.SecretType))
            {
                var handles = await inventory.ListHandlesAsync(target.Name, ct);
                if (!handles.IsSuccess || handles.Value.Count == 0)
                {
                    continue;
                }

                var live = await leases.LiveHandlesAsync(inventory.Provider, handles.Value, ct);
                foreach (var orphan in handles.Value.Where(h => !live.Contains(h)))
                {
                    if ((await inventory.RemoveAsync(target.Name, orphan, ct)).IsSuccess)
                    {
                        removed++;
                        await audit.AppendAsync(new AuditRecord(
                            clock.GetCurrentInstant(), AuditContext.System, AuditActions.OrphanRemoved, $"{inventory.Provider}:{target.Name}/{orphan}", AuditDecision.Allowed, "no live lease"), ct);
                    }
                }
            }
        }

        return removed;
    }
}
