using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Audit;

public sealed class AuditVerifierTests
{
    private readonly AuditChain chain = new(MasterKey.Generate());
    private readonly InMemoryAuditStore store;

    public AuditVerifierTests() => store = new InMemoryAuditStore(chain);

    private async Task<InMemoryAuditStore> TrailOfAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.AppendAsync(new AuditRecord(Instant.FromUnixTimeSeconds(1_800_000_000 + i), AuditContext.System, "secret.put", $"secret:s{i}", AuditDecision.Allowed), default);
        }

        return store;
    }

    private Task<AuditVerification> VerifyAsync() => new AuditVerifier(store, chain).VerifyAsync(default);

    [Fact]
    public async Task An_untouched_trail_is_intact()
    {
        await TrailOfAsync(2500);

        var result = await VerifyAsync();

        Assert.True(result.Intact);
        Assert.Equal(2500, result.Checked);
    }

    [Fact]
    public async Task A_trail_with_no_events_and_no_head_was_wiped()
    {
        var result = await VerifyAsync();

        Assert.Equal((false, 1L, AuditVerification.HeadMismatch), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }

    [Fact]
    public async Task Moving_the_head_back_after_removing_the_newest_events_is_caught()
    {
        await TrailOfAsync(10);
        store.Events.RemoveRange(8, 2);
        store.Head = store.Head! with { Seq = 8, Mac = store.Events[7].Mac };

        var result = await VerifyAsync();

        Assert.Equal((false, 9L, AuditVerification.HeadMismatch), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }

    [Fact]
    public async Task An_edited_event_is_reported_as_a_mac_mismatch_at_that_event()
    {
        await TrailOfAsync(10);
        store.Events[6] = store.Events[6] with { Decision = AuditDecision.Denied };

        var result = await VerifyAsync();

        Assert.Equal((false, 7L, AuditVerification.MacMismatch), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }

    [Fact]
    public async Task A_removed_event_is_reported_where_the_gap_is()
    {
        await TrailOfAsync(10);
        store.Events.RemoveAt(3);

        var result = await VerifyAsync();

        Assert.Equal((false, 4L, AuditVerification.MissingEvent), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }

    [Fact]
    public async Task A_renumbered_gap_is_caught_by_the_link()
    {
        await TrailOfAsync(10);
        var forged = chain.Link(new AuditRecord(store.Events[4].At, AuditContext.System, "secret.put", "secret:s4", AuditDecision.Allowed), 5, "not-the-predecessor");
        store.Events[4] = forged;

        var result = await VerifyAsync();

        Assert.Equal((false, 5L, AuditVerification.LinkBroken), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }

    [Fact]
    public async Task Removing_the_newest_events_is_caught_by_the_head()
    {
        await TrailOfAsync(10);
        store.Events.RemoveRange(8, 2);

        var result = await VerifyAsync();

        Assert.Equal((false, 9L, AuditVerification.HeadMismatch), (result.Intact, result.FirstBrokenSeq!.Value, result.Problem));
    }
}
