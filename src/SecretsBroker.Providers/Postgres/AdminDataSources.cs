using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Postgres;

/// <summary>The admin side of one PostgreSQL root secret: a small pool, and where minted roles connect.</summary>
public sealed record AdminTarget(NpgsqlDataSource DataSource, string Host, int Port, string Database, SslMode? SslMode);

/// <summary>
/// One small pool of admin connections per PostgreSQL root secret, so creating roles (about 5 ms
/// each) never waits on a shared lock or a fresh login. A pool is keyed by the secret and a hash of
/// its current value: a new version (a rotated password) gets a new pool, and the old one is closed.
/// </summary>
public sealed class AdminDataSources(SecretVault vault) : IAsyncDisposable
{
    /// <summary>A few admin sessions per target are enough: each statement takes milliseconds.</summary>
    public const int MaxPoolSize = 4;

    private readonly ConcurrentDictionary<string, (string Fingerprint, AdminTarget Target)> pools = new(StringComparer.Ordinal);

    public async Task<Result<AdminTarget>> GetAsync(string secret, CancellationToken ct)
    {
        var revealed = await vault.RevealAsync(secret, ct);
        if (!revealed.IsSuccess)
        {
            return revealed.Error!;
        }

        var built = PostgresAdminLogin.Build(secret, revealed.Value);
        if (!built.IsSuccess)
        {
            return built.Error!;
        }

        var builder = built.Value;
        builder.MaxPoolSize = MaxPoolSize;
        builder.MinPoolSize = 0;
        builder.CommandTimeout = 30;
        var sslMode = revealed.Value.ContainsKey("sslmode") ? builder.SslMode : (SslMode?)null;
        var connectionString = builder.ToString();
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(connectionString)));
        if (pools.TryGetValue(secret, out var cached) && cached.Fingerprint == fingerprint)
        {
            return cached.Target;
        }

        var target = new AdminTarget(NpgsqlDataSource.Create(connectionString), builder.Host!, builder.Port, builder.Database!, sslMode);
        var entry = (fingerprint, target);
        if (cached.Target is null ? pools.TryAdd(secret, entry) : pools.TryUpdate(secret, entry, cached))
        {
            if (cached.Target is not null)
            {
                await cached.Target.DataSource.DisposeAsync();
            }

            return target;
        }

        // Another caller replaced the pool at the same moment: use theirs.
        await target.DataSource.DisposeAsync();
        return pools.TryGetValue(secret, out var winner) ? winner.Target : BrokerError.Conflict(ErrorCodes.ProviderUnavailable, "The admin pool is being replaced; try again.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, (_, target)) in pools)
        {
            await target.DataSource.DisposeAsync();
        }

        pools.Clear();
    }
}
