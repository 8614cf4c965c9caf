using System.Text.Json;

namespace SecretsBroker.Bench;

/// <summary>A lease the load issued, kept as <c>id&lt;TAB&gt;username</c>: what pg-revoke revokes and then looks for downstream.</summary>
internal sealed record IssuedLease(string Id, string Username)
{
    /// <summary>The line for an answer of <c>POST /v1/leases</c> (web JSON: <c>lease.id</c>, <c>credential.username</c>).</summary>
    public static string Line(string body)
    {
        using var answer = JsonDocument.Parse(body);
        var id = answer.RootElement.GetProperty("lease").GetProperty("id").GetString();
        var username = answer.RootElement.GetProperty("credential").TryGetProperty("username", out var u) ? u.GetString() : "";
        return $"{id}\t{username}";
    }

    public static async Task<IReadOnlyList<IssuedLease>> ReadAsync(string path) =>
        (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).Select(l => l.Split('\t') is [var id, var username]
            ? new IssuedLease(id, username)
            : throw new InvalidDataException($"{path}: expected 'id<TAB>username' lines")).ToList();
}
