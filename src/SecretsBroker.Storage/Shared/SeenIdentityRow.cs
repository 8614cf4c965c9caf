using System.Text.Json;
using NodaTime;
using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Shared;

/// <summary>A <c>workload_identity</c> row with its live lease count, as Dapper reads it.</summary>
internal sealed class SeenIdentityRow
{
    public long Seq { get; init; }

    public string Issuer { get; init; } = "";

    public string Subject { get; init; } = "";

    public string Claims { get; init; } = "{}";

    public Instant FirstSeen { get; init; }

    public Instant LastSeen { get; init; }

    public long LiveLeases { get; init; }

    public SeenIdentity ToSeen() =>
        new(Seq, Issuer, Subject, JsonSerializer.Deserialize<Dictionary<string, string>>(Claims) ?? [], FirstSeen, LastSeen, LiveLeases);
}
