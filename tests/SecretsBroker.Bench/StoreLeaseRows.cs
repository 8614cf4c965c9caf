using System.Security.Cryptography;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using SecretsBroker.Core.Leasing;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// Rows shaped like the ones the broker writes for a JWT lease (the benchmark's role, rule and purpose,
/// a sealed JWT's worth of credential ciphertext beside each), for the PostgreSQL store runs that fill
/// or write the store's tables directly: by binary COPY for a fill, or one INSERT of both rows.
/// </summary>
internal static class StoreLeaseRows
{
    public const string Columns = "id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state, issued_at, expires_at, max_expires_at, renewable, claims_id";

    public const string Insert = $"""
        INSERT INTO lease ({Columns})
        VALUES (@id, 'deploy-api', 'jwt', @secret, @id, 'github', @subject, @run, @run, @step, 'bench', 'app-pipelines', 'active', @issued, @expires, @max, true, @claims);
        INSERT INTO lease_credential (lease_id, ciphertext) VALUES (@id, @credential)
        """;

    /// <summary>A sealed ES256 JWT of the benchmark's size: what the store keeps per live lease.</summary>
    public static string Credential() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(600));

    /// <summary><paramref name="count"/> claim sets with ids 1 to <paramref name="count"/>, for leases to point at.</summary>
    public static async Task CopyClaimSetsAsync(NpgsqlConnection c, int count, CancellationToken ct)
    {
        await using var copy = await c.BeginBinaryImportAsync("COPY workload_claims (id, digest, issuer, claims) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = 0; i < count; i++)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync((long)i + 1, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync($"bench-{i}", NpgsqlDbType.Text, ct);
            await copy.WriteAsync("github", NpgsqlDbType.Text, ct);
            await copy.WriteAsync($$"""{"repository":"acme/app-{{i}}","run_id":"9000{{i}}"}""", NpgsqlDbType.Text, ct);
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>
    /// Active leases, lease <c>i</c> for <paramref name="subjectOf"/>(i), each pointing at claim set
    /// <paramref name="claimsOf"/>(i), by binary COPY; then their credentials the same way. Returns nothing
    /// until both tables are written (one transaction is the caller's choice).
    /// </summary>
    public static async Task CopyLeasesAsync(NpgsqlConnection c, int count, Instant now, Func<int, string> subjectOf, Func<int, long> claimsOf, CancellationToken ct)
    {
        var ids = new string[count];
        await using (var copy = await c.BeginBinaryImportAsync($"COPY lease ({Columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            var issued = now.ToUnixTimeMilliseconds();
            var expires = (now + Duration.FromHours(1)).ToUnixTimeMilliseconds();
            var max = (now + Duration.FromHours(2)).ToUnixTimeMilliseconds();
            for (var i = 0; i < count; i++)
            {
                ids[i] = LeaseId.New(now + Duration.FromMilliseconds(i / 10));
                var run = $"9000{i % 100:D6}";
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(ids[i], NpgsqlDbType.Text, ct);
                await copy.WriteAsync("deploy-api", NpgsqlDbType.Text, ct);
                await copy.WriteAsync("jwt", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(LeasingBroker.SigningKey, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(ids[i], NpgsqlDbType.Text, ct);
                await copy.WriteAsync("github", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(subjectOf(i), NpgsqlDbType.Text, ct);
                await copy.WriteAsync(run, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(run, NpgsqlDbType.Text, ct);
                await copy.WriteAsync($"s{i}", NpgsqlDbType.Text, ct);
                await copy.WriteAsync("bench", NpgsqlDbType.Text, ct);
                await copy.WriteAsync("app-pipelines", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(LeaseState.Active, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(issued, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(expires, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(max, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(claimsOf(i), NpgsqlDbType.Bigint, ct);
            }

            await copy.CompleteAsync(ct);
        }

        await using (var copy = await c.BeginBinaryImportAsync("COPY lease_credential (lease_id, ciphertext) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var id in ids)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(id, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(Credential(), NpgsqlDbType.Text, ct);
            }

            await copy.CompleteAsync(ct);
        }
    }
}
