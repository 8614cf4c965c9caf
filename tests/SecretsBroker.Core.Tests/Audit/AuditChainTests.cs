using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Audit;

public sealed class AuditChainTests
{
    private static readonly AuditRecord Record = new(
        Instant.FromUtc(2026, 11, 23, 12, 0), new AuditContext("token:abc:ops", "req-1", "127.0.0.1", "sbctl/1.0"), "secret.put", "secret:app-db", AuditDecision.Allowed, "version 1");

    [Fact]
    public void A_linked_event_carries_a_valid_mac_over_its_predecessor()
    {
        var chain = new AuditChain(MasterKey.Generate());

        var first = chain.Link(Record, 1, AuditChain.Genesis);
        var second = chain.Link(Record, 2, first.Mac);

        Assert.True(chain.HasValidMac(first));
        Assert.True(chain.HasValidMac(second));
        Assert.Equal(first.Mac, second.PreviousMac);
        Assert.NotEqual(first.Mac, second.Mac);
    }

    public static TheoryData<string> Fields => ["Seq", "At", "Actor", "Action", "Target", "Decision", "Reason", "RequestId", "RemoteAddress", "UserAgent", "PreviousMac"];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changing_any_field_invalidates_the_mac(string field)
    {
        var chain = new AuditChain(MasterKey.Generate());
        var e = chain.Link(Record, 5, "previous");

        var tampered = field switch
        {
            "Seq" => e with { Seq = 6 },
            "At" => e with { At = e.At + Duration.FromMilliseconds(1) },
            "Actor" => e with { Actor = "token:other:ops" },
            "Action" => e with { Action = "secret.delete" },
            "Target" => e with { Target = "secret:other" },
            "Decision" => e with { Decision = AuditDecision.Denied },
            "Reason" => e with { Reason = null },
            "RequestId" => e with { RequestId = "req-2" },
            "RemoteAddress" => e with { RemoteAddress = "10.0.0.1" },
            "UserAgent" => e with { UserAgent = "" },
            "PreviousMac" => e with { PreviousMac = "other" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.False(chain.HasValidMac(tampered));
    }

    [Fact]
    public void Only_the_same_master_key_can_produce_or_check_a_link()
    {
        var e = new AuditChain(MasterKey.Generate()).Link(Record, 1, AuditChain.Genesis);

        Assert.False(new AuditChain(MasterKey.Generate()).HasValidMac(e));
    }

    [Fact]
    public void Field_boundaries_are_part_of_the_mac()
    {
        var chain = new AuditChain(MasterKey.Generate());
        var e = chain.Link(Record with { Action = "ab", Target = "c" }, 1, AuditChain.Genesis);

        Assert.False(chain.HasValidMac(e with { Action = "a", Target = "bc" }));
    }
}
