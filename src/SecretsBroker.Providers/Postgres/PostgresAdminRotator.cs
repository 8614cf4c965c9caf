using System.Security.Cryptography;
using Npgsql;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// Rotates the password of a <c>postgresql-admin</c> root secret: the admin sets its own new
/// password (<c>ALTER ROLE CURRENT_USER</c>, so no identifier is spliced into SQL), and the new
/// password is proven by logging in with it. The password is 40 characters from [A-Za-z0-9], so it
/// is safe as a literal (CREATE/ALTER ROLE take no bind parameters). The session that changes it is
/// tagged with the attempt and bounded by server-side timeouts, so that recovery after a crash can
/// end it before deciding which password is the real one.
/// </summary>
public sealed class PostgresAdminRotator(TimeSpan? lockTimeout = null) : ISecretRotator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public string SecretType => Core.Secrets.SecretType.PostgresqlAdmin.Name;

    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 40);

    public IReadOnlyDictionary<string, string> NextFields(IReadOnlyDictionary<string, string> current) =>
        new Dictionary<string, string>(current, StringComparer.Ordinal) { ["password"] = NewPassword() };

    /// <summary>How long the change may wait for a lock at the server before the server gives it up.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bounds, at the server, how long the change may wait for a lock and run in all, so that once
    /// this process is gone it cannot wait there for ever.
    /// </summary>
    private readonly string bounds =
        $"SET lock_timeout = {(long)(lockTimeout ?? DefaultLockTimeout).TotalMilliseconds}; SET statement_timeout = {(long)((lockTimeout ?? DefaultLockTimeout) + TimeSpan.FromSeconds(10)).TotalMilliseconds}";

    /// <summary>
    /// The <c>application_name</c> of the session that applies <paramref name="attempt"/>: how a later
    /// recovery finds it at the server (a hash, since the name is cut at 63 bytes).
    /// </summary>
    public static string SessionTag(string attempt) =>
        "sb-rotate-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(attempt)))[..32];

    public async Task<TargetChange> ApplyAsync(string attempt, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> replacement, CancellationToken ct)
    {
        var password = replacement["password"];
        var login = PostgresAdminLogin.Build("rotation", current);
        if (password.Any(c => !Alphabet.Contains(c, StringComparison.Ordinal)) || !login.IsSuccess)
        {
            return TargetChange.NotMade;
        }

        login.Value.Pooling = false;
        login.Value.ApplicationName = SessionTag(attempt);
        await using var connection = new NpgsqlConnection(login.Value.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var limit = new NpgsqlCommand(bounds, connection);
            await limit.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return TargetChange.NotMade;
        }

        try
        {
            await using var alter = new NpgsqlCommand($"ALTER ROLE CURRENT_USER PASSWORD '{password}'", connection);
            await alter.ExecuteNonQueryAsync(ct);
            return TargetChange.Made;
        }
        catch (PostgresException)
        {
            // The server answered with an error: the statement's transaction is rolled back.
            return TargetChange.NotMade;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            // Sent, and no answer: the server may still finish it.
            return TargetChange.Unknown;
        }
    }

    /// <summary>
    /// Ends every session at the server that carries <paramref name="attempt"/>'s tag (a role may end
    /// its own sessions) and waits until none is left: a terminated session's transaction is rolled
    /// back, so from then on the attempt's change has either been committed or never will be.
    /// </summary>
    public async Task<bool> EndAttemptAsync(string attempt, IReadOnlyDictionary<string, string> login, CancellationToken ct)
    {
        var settings = PostgresAdminLogin.Unpooled(login);
        if (!settings.IsSuccess)
        {
            return false;
        }

        try
        {
            await using var connection = new NpgsqlConnection(settings.Value);
            await connection.OpenAsync(ct);
            for (var round = 0; round < 100; round++)
            {
                await using var end = new NpgsqlCommand(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @tag AND pid <> pg_backend_pid()) ended",
                    connection);
                end.Parameters.AddWithValue("tag", SessionTag(attempt));
                if (await end.ExecuteScalarAsync(ct) is 0L)
                {
                    return true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }

            return false;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    public async Task<bool> CanLogInAsync(IReadOnlyDictionary<string, string> fields, CancellationToken ct)
    {
        var login = PostgresAdminLogin.Unpooled(fields);
        if (!login.IsSuccess)
        {
            return false;
        }

        try
        {
            await using var connection = new NpgsqlConnection(login.Value);
            await connection.OpenAsync(ct);
            await using var ping = new NpgsqlCommand("SELECT 1", connection);
            return await ping.ExecuteScalarAsync(ct) is not null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
