namespace SecretsBroker.Core.Audit;

/// <summary>
/// Walks the whole trail in pages and reports the first broken link: an edited event fails its MAC, a
/// removed or reordered one breaks the sequence or the link to its predecessor, and a removed tail
/// no longer reaches the head.
/// </summary>
public sealed class AuditVerifier(IAuditStore store, AuditChain chain)
{
    private const int PageSize = 1000;

    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        var head = await store.ReadHeadAsync(ct);
        long expectedSeq = 1;
        var previousMac = AuditChain.Genesis;
        long lastSeq = 0;
        while (true)
        {
            var page = await store.PageAsync(lastSeq, PageSize, ct);
            foreach (var e in page)
            {
                if (Check(e, expectedSeq, previousMac) is { } problem)
                {
                    return new AuditVerification(false, expectedSeq - 1, Math.Min(e.Seq, expectedSeq), problem);
                }

                previousMac = e.Mac;
                lastSeq = e.Seq;
                expectedSeq++;
            }

            if (page.Count < PageSize)
            {
                break;
            }
        }

        // Never an empty trail: the first start records the initial admin token before the broker serves
        // anything, so a trail with no head and no events is one that was wiped.
        var headMatches = head is not null && head.Seq == lastSeq && head.Mac == previousMac && chain.HasValidHead(head);
        return headMatches
            ? new AuditVerification(true, lastSeq, null, null)
            : new AuditVerification(false, lastSeq, lastSeq + 1, AuditVerification.HeadMismatch);
    }

    private string? Check(AuditEvent e, long expectedSeq, string previousMac)
    {
        if (e.Seq != expectedSeq)
        {
            return AuditVerification.MissingEvent;
        }

        if (!chain.HasValidMac(e))
        {
            return AuditVerification.MacMismatch;
        }

        return e.PreviousMac == previousMac ? null : AuditVerification.LinkBroken;
    }
}
