using Microsoft.Extensions.Logging;
using Npgsql;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// Logs in with a <c>postgresql-admin</c> secret as it is stored and inspects its own role for what
/// minting and revoking need (deploy/README.md): CREATEROLE to create, alter and drop the leased
/// logins, <c>pg_signal_backend</c> to end a revoked login's sessions, and on PostgreSQL 15 and older
/// INHERIT, since dropping a login that owns objects works through a membership the admin grants
/// itself. A superuser has all of it. ADMIN OPTION on the group roles depends on each role's grants
/// template and shows at the first lease.
/// </summary>
public sealed partial class PostgresAdminCheck(ILogger<PostgresAdminCheck> logger) : ISecretTargetCheck
{
    private const string OwnRole = """
        SELECT r.rolsuper, r.rolcreaterole, r.rolinherit,
               pg_has_role(current_user, 'pg_signal_backend', 'USAGE'),
               current_setting('server_version_num')::int
        FROM pg_roles r WHERE r.rolname = current_user
        """;

    public string SecretType => Core.Secrets.SecretType.PostgresqlAdmin.Name;

    public async Task<BrokerError?> CheckAsync(string name, IReadOnlyDictionary<string, string> fields, CancellationToken ct)
    {
        var login = PostgresAdminLogin.Build(name, fields);
        if (!login.IsSuccess)
        {
            return login.Error;
        }

        login.Value.Pooling = false;
        List<string> missing;
        try
        {
            await using var connection = new NpgsqlConnection(login.Value.ConnectionString);
            await connection.OpenAsync(ct);
            await using var inspect = new NpgsqlCommand(OwnRole, connection);
            await using var row = await inspect.ExecuteReaderAsync(ct);
            if (!await row.ReadAsync(ct))
            {
                return null;
            }

            missing = Missing(row.GetBoolean(0), row.GetBoolean(1), row.GetBoolean(2), row.GetBoolean(3), row.GetInt32(4));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            Unchecked(logger, name, e is PostgresException pg ? pg.SqlState : "connection");
            return null;
        }

        return missing.Count == 0
            ? null
            : new BrokerError(
                ErrorCodes.AdminPrivilegesMissing,
                $"The PostgreSQL login of secret '{name}' lacks what the broker needs: {string.Join(", ", missing)} (see deploy/README.md). Nothing was stored.",
                ErrorKind.Invalid);
    }

    /// <summary>What the login lacks, each named as the operator grants it.</summary>
    internal static List<string> Missing(bool superuser, bool createRole, bool inherit, bool signalBackend, int serverVersion)
    {
        List<string> missing = [];
        if (superuser)
        {
            return missing;
        }

        if (!createRole)
        {
            missing.Add("CREATEROLE (ALTER ROLE … CREATEROLE)");
        }

        if (!signalBackend)
        {
            missing.Add("membership in pg_signal_backend (GRANT pg_signal_backend TO …)");
        }

        if (!inherit && serverVersion < 160000)
        {
            missing.Add("INHERIT (ALTER ROLE … INHERIT)");
        }

        return missing;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "The PostgreSQL login of secret {Secret} could not be checked when stored ({State}); a missing privilege will show at its first use.")]
    private static partial void Unchecked(ILogger logger, string secret, string state);
}
