using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Time;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// Compares what a write committed to the trail with the records the test passed in, every field a
/// record carries: a store translates Core's words, it adds none of its own.
/// </summary>
public static class AuditTrailAssert
{
    /// <summary>Asserts that the trail grew from <paramref name="before"/> events by exactly <paramref name="records"/>, in that order.</summary>
    public static void Appended(IReadOnlyList<AuditEvent> trail, int before, params AuditRecord[] records)
    {
        Assert.Equal(before + records.Length, trail.Count);
        for (var i = 0; i < records.Length; i++)
        {
            Committed(records[i], trail[before + i]);
        }
    }

    /// <summary>Asserts that <paramref name="committed"/> holds <paramref name="record"/> and nothing else.</summary>
    public static void Committed(AuditRecord record, AuditEvent committed)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(committed);
        var c = record.Context;
        Assert.Equal(
            (record.At.AtStoredPrecision(), c.Actor, c.RequestId, c.RemoteAddress, c.UserAgent, record.Action, record.Target, record.Decision, record.Reason),
            (committed.At, committed.Actor, committed.RequestId, committed.RemoteAddress, committed.UserAgent, committed.Action, committed.Target, committed.Decision, committed.Reason));
    }
}
