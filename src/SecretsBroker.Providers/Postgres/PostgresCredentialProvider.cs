using NodaTime;
using NodaTime.Text;
using Npgsql;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// Mints a PostgreSQL LOGIN role per lease (<c>sb_</c> + the lease id) with a generated password and
/// <c>VALID UNTIL</c> the lease's expiry, so it dies on its own even if the broker is down; its
/// privileges come from the role's <c>grants</c> template (typically membership in a group role the
/// operator prepared). Revocation ends its sessions, drops what it owns and drops it, idempotently.
/// Role names come from lease ids (hex), never from a request.
/// </summary>
public sealed class PostgresCredentialProvider(AdminDataSources admins, BrokerInstance instance) : ICredentialProvider, IDownstreamInventory, IAsyncDisposable
{
    private readonly ScramCredentialStock credentials = new();

    /// <summary>Every role this broker makes starts with <c>sb_</c>, then the installation's id: <c>sb_1a2b3c4d_</c> + the lease id (44 bytes, under PostgreSQL's 63).</summary>
    public string Prefix => $"sb_{instance.Id}_";

    private static readonly InstantPattern Timestamp = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss.FFFFFF'Z'");

    public string Name => "postgresql";

    /// <summary>The role exists in PostgreSQL from the mint on: the lease is written ahead as issuing.</summary>
    public bool MintsDownstream => true;

    public string HandleFor(string leaseId) => Prefix + leaseId;

    public async Task<Result<IReadOnlyDictionary<string, string>>> MintAsync(Lease lease, RoleDefinition role, CancellationToken ct)
    {
        if (CheckHandle(lease) is { } badHandle)
        {
            return badHandle;
        }

        var admin = await admins.GetAsync(lease.Secret, ct);
        if (!admin.IsSuccess)
        {
            return admin.Error!;
        }

        var target = admin.Value;
        // Checked before anything is created: a bad template refuses the lease, it leaves no role.
        var grants = GrantsTemplate.Expand(role.Settings.GetValueOrDefault(GrantsTemplate.Setting), lease.Handle, target.Database, role.Settings.GetValueOrDefault(GrantsTemplate.SchemaSetting));
        if (!grants.IsSuccess)
        {
            return grants.Error!;
        }

        // Taken only now that the lease will be minted: a pair is used for one role, never twice.
        var credential = credentials.Take();
        var password = credential.Password;
        // CREATE ROLE takes no bind parameters: the literal is a SCRAM verifier (base64 and '$:'
        // only, never a quote), and the expiry is formatted from an Instant.
        var create = $"CREATE ROLE {PostgresIdentifier.Quote(lease.Handle)} LOGIN PASSWORD '{credential.Verifier}' VALID UNTIL '{Until(lease.ExpiresAt)}'";
        var failed = await RunAsync(target, $"mint of lease {lease.Id}", async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, create, ct);
            if (grants.Value.Length > 0)
            {
                await ExecuteAsync(connection, grants.Value, ct);
            }

            await tx.CommitAsync(ct);
        }, ct);
        if (failed is not null)
        {
            return failed;
        }

        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = target.Host,
            Port = target.Port,
            Database = target.Database,
            Username = lease.Handle,
            Password = password,
        };
        if (target.SslMode is { } ssl)
        {
            connectionString.SslMode = ssl;
        }

        return new Dictionary<string, string>
        {
            ["username"] = lease.Handle,
            ["password"] = password,
            ["host"] = target.Host,
            ["port"] = target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["database"] = target.Database,
            ["connection_string"] = connectionString.ToString(),
        };
    }

    /// <summary>The same login, valid until the lease's new expiry.</summary>
    public async Task<Result<IReadOnlyDictionary<string, string>>> RenewAsync(Lease lease, RoleDefinition role, CancellationToken ct)
    {
        if (CheckHandle(lease) is { } badHandle)
        {
            return badHandle;
        }

        var admin = await admins.GetAsync(lease.Secret, ct);
        if (!admin.IsSuccess)
        {
            return admin.Error!;
        }

        var alter = $"ALTER ROLE {PostgresIdentifier.Quote(lease.Handle)} VALID UNTIL '{Until(lease.ExpiresAt)}'";
        var failed = await RunAsync(admin.Value, $"renewal of lease {lease.Id}", connection => ExecuteAsync(connection, alter, ct), ct);
        return failed is null ? new Dictionary<string, string>() : failed;
    }

    /// <summary>
    /// Logins off first, then its sessions ended, then what it owns reassigned and dropped, then the
    /// role. A role already gone is success, so a retry after a partial run finishes the job.
    /// </summary>
    public async Task<Result<bool>> RevokeAsync(Lease lease, CancellationToken ct)
    {
        if (CheckHandle(lease) is { } badHandle)
        {
            return badHandle;
        }

        return await DropRoleAsync(lease.Secret, lease.Handle, $"revoke of lease {lease.Id}", ct);
    }

    public string Provider => Name;

    public string SecretType => Core.Secrets.SecretType.PostgresqlAdmin.Name;

    /// <summary>The roles in the target named like the ones this broker makes (<c>sb_</c> + a lease id).</summary>
    public async Task<Result<IReadOnlyList<string>>> ListHandlesAsync(string secret, CancellationToken ct)
    {
        var admin = await admins.GetAsync(secret, ct);
        if (!admin.IsSuccess)
        {
            return admin.Error!;
        }

        var handles = new List<string>();
        var failed = await RunAsync(admin.Value, $"listing of roles in {secret}", async connection =>
        {
            await using var list = new NpgsqlCommand("SELECT rolname FROM pg_roles WHERE left(rolname, @length) = @prefix", connection);
            list.Parameters.AddWithValue("length", Prefix.Length);
            list.Parameters.AddWithValue("prefix", Prefix);
            await using var rows = await list.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                var name = rows.GetString(0);
                if (LeaseId.LooksValid(name[Prefix.Length..]))
                {
                    handles.Add(name);
                }
            }
        }, ct);
        return failed is null ? handles : failed;
    }

    public Task<Result<bool>> RemoveAsync(string secret, string handle, CancellationToken ct) =>
        handle.StartsWith(Prefix, StringComparison.Ordinal) && LeaseId.LooksValid(handle[Prefix.Length..])
            ? DropRoleAsync(secret, handle, $"removal of orphan {handle}", ct)
            : Task.FromResult(Result<bool>.Failure(BrokerError.Invalid(ErrorCodes.InvalidField, "Not a role name this broker makes.")));

    /// <summary>
    /// Logins off first, then its sessions ended, then the role dropped. A role that owns objects or
    /// holds privileges of its own cannot be dropped as it is: then what it owns goes to the admin,
    /// its privileges are dropped, and the role with them, in one transaction. A role already gone
    /// is success, so a retry after a partial run finishes the job.
    /// </summary>
    private async Task<Result<bool>> DropRoleAsync(string secret, string handle, string what, CancellationToken ct)
    {
        var admin = await admins.GetAsync(secret, ct);
        if (!admin.IsSuccess)
        {
            return admin.Error!;
        }

        var role = PostgresIdentifier.Quote(handle);
        var failed = await RunAsync(admin.Value, what, async connection =>
        {
            await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role)", connection))
            {
                exists.Parameters.AddWithValue("role", handle);
                if (await exists.ExecuteScalarAsync(ct) is not true)
                {
                    return;
                }
            }

            await ExecuteAsync(connection, $"ALTER ROLE {role} NOLOGIN", ct);
            await using (var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = @role", connection))
            {
                terminate.Parameters.AddWithValue("role", handle);
                await terminate.ExecuteScalarAsync(ct);
            }

            try
            {
                // The common case: a login that only joined group roles has nothing of its own.
                await ExecuteAsync(connection, $"DROP ROLE IF EXISTS {role}", ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                await DropWithWhatItOwnsAsync(connection, role, ct);
            }
        }, ct);
        return failed is null ? true : failed;
    }

    /// <summary>
    /// REASSIGN OWNED and DROP OWNED need the privileges of the role they name, which the guide's
    /// admin (CREATEROLE, not a superuser) does not have: it takes them by joining the role first.
    /// On PostgreSQL 15 and older, CREATEROLE may grant any non-superuser role, and the admin
    /// inherits it (the store-time check requires INHERIT). From 16 on, CREATEROLE alone no longer
    /// may: the creator holds ADMIN OPTION on the roles it made, but neither INHERIT nor SET unless
    /// createrole_self_grant says so, so the grant asks for INHERIT explicitly. The membership goes
    /// with the role when it is dropped.
    /// </summary>
    private static async Task DropWithWhatItOwnsAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        var inherit = connection.PostgreSqlVersion.Major >= 16 ? " WITH INHERIT TRUE" : "";
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, $"GRANT {role} TO CURRENT_USER{inherit}", ct);
        await ExecuteAsync(connection, $"REASSIGN OWNED BY {role} TO CURRENT_USER", ct);
        await ExecuteAsync(connection, $"DROP OWNED BY {role}", ct);
        await ExecuteAsync(connection, $"DROP ROLE {role}", ct);
        await tx.CommitAsync(ct);
    }

    private static string Until(Instant expiry) => Timestamp.Format(expiry);

    /// <summary>Only names this provider made are ever touched, whatever a lease row says.</summary>
    private BrokerError? CheckHandle(Lease lease) =>
        lease.Handle == Prefix + lease.Id && LeaseId.LooksValid(lease.Id)
            ? null
            : BrokerError.Invalid(ErrorCodes.InvalidField, $"Lease {lease.Id} does not carry a PostgreSQL role name this broker makes.");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs <paramref name="work"/> on an admin connection; a PostgreSQL failure is an answer naming its SQLSTATE, never its text.</summary>
    private static async Task<BrokerError?> RunAsync(AdminTarget target, string what, Func<NpgsqlConnection, Task> work, CancellationToken ct)
    {
        try
        {
            await using var connection = await target.DataSource.OpenConnectionAsync(ct);
            await work(connection);
            return null;
        }
        catch (NpgsqlException e)
        {
            if (e is not PostgresException)
            {
                // The server went away (a restart, an outage): idle pooled sessions are dead too.
                target.DataSource.Clear();
            }

            var state = e is PostgresException pg ? pg.SqlState : "connection";
            return new BrokerError(ErrorCodes.ProviderFailed, $"PostgreSQL {what} failed ({state}).", ErrorKind.Upstream);
        }
    }

    /// <summary>Stops the background filling of the credential stock.</summary>
    public ValueTask DisposeAsync() => credentials.DisposeAsync();
}
