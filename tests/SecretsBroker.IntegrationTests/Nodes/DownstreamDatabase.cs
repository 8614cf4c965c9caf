using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// The PostgreSQL the nodes mint LOGIN roles in: a database of its own, a group role the minted roles
/// join, and the broker's least-privileged admin login, stored once as the <c>postgresql-admin</c>
/// root secret every node's policy names. The admin login's sessions log their DDL to the cluster's
/// server log, which is how a test counts the CREATE ROLE and DROP ROLE each minted role got.
/// </summary>
internal sealed partial class DownstreamDatabase
{
    /// <summary>A PostgreSQL role: each lease is a LOGIN role in the group.</summary>
    public const string Role = "app-db";

    /// <summary>A JWT role beside it (no downstream object: committed in one write).</summary>
    public const string JwtRole = LeasingBroker.Role;

    public const string AdminSecret = "app-db-admin";

    private DownstreamDatabase(PostgresCluster cluster, string database, string group, PostgresLogin admin)
    {
        Cluster = cluster;
        Database = database;
        Group = group;
        Admin = admin;
    }

    public PostgresCluster Cluster { get; }

    public string Database { get; }

    public string Group { get; }

    public PostgresLogin Admin { get; }

    private string ServerLog => Path.Combine(Cluster.Folder, "server.log");

    public static async Task<DownstreamDatabase> CreateAsync()
    {
        var cluster = PostgresCluster.Shared;
        var database = await cluster.CreateDatabaseAsync();
        var group = await cluster.CreateGroupRoleAsync(database);
        var admin = await cluster.CreateBrokerAdminAsync(group);

        // Set before any node opens a session as the admin, so every statement the broker sends downstream is seen.
        await cluster.ExecuteAsync("postgres", $"ALTER ROLE \"{admin.Username}\" SET log_statement = 'ddl'");
        return new DownstreamDatabase(cluster, database, group, admin);
    }

    /// <summary>Both roles, leasable by the issuer's repository at any step and for any purpose.</summary>
    public string PolicyFor(string repository) => $$$"""
        roles:
          {{{Role}}}:
            provider: postgresql
            secret: {{{AdminSecret}}}
            settings:
              grants: "GRANT {{{Group}}} TO {{role}}"
            default_ttl: 10m
            max_ttl: 1h
            renewable: true
          {{{JwtRole}}}:
            provider: jwt
            secret: {{{LeasingBroker.SigningKey}}}
            settings: { audience: {{{LeasingBroker.Audience}}} }
            default_ttl: 10m
            max_ttl: 1h
        rules:
          - name: app-pipelines
            issuer: github
            claims: { repository: "{{{repository}}}" }
            roles: [{{{Role}}}, {{{JwtRole}}}]
            steps: ["*"]
            purposes: ["*"]

        """;

    /// <summary>Stores the admin login as the root secret, once, through node 0: every node reads it from the shared store.</summary>
    public async Task StoreAdminSecretAsync(NodeCluster nodes)
    {
        using var admin = nodes.Admin(0);
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{AdminSecret}", new PutSecretRequest("postgresql-admin", Cluster.AdminSecretFields(Admin, Database)));
        put.EnsureSuccessStatusCode();
    }

    /// <summary>The roles in the cluster named with <paramref name="prefix"/>: what the installation has minted and not dropped.</summary>
    public async Task<IReadOnlySet<string>> RolesAsync(string prefix)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(Cluster.AdminConnectionString());
        await connection.OpenAsync();
        await using var list = new Npgsql.NpgsqlCommand("SELECT rolname FROM pg_roles WHERE starts_with(rolname, @prefix)", connection);
        list.Parameters.AddWithValue("prefix", prefix);
        await using var rows = await list.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            roles.Add(rows.GetString(0));
        }

        return roles;
    }

    /// <summary>
    /// How many statements the admin sent that create, and that drop, each role named with
    /// <paramref name="prefix"/>, from the server log (shared with other tests; the prefix is this
    /// installation's own). A statement is logged when it arrives, whether or not it then succeeds.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (int Creates, int Drops)>> DdlByRoleAsync(string prefix)
    {
        // PostgreSQL keeps the file open for writing: read it as another reader would.
        string log;
        await using (var file = new FileStream(ServerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(file))
        {
            log = await reader.ReadToEndAsync();
        }

        var counts = new Dictionary<string, (int Creates, int Drops)>(StringComparer.Ordinal);
        foreach (Match m in RoleDdl().Matches(log))
        {
            var role = m.Groups["role"].Value;
            if (!role.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var (creates, drops) = counts.GetValueOrDefault(role);
            counts[role] = m.Groups["verb"].Value == "CREATE" ? (creates + 1, drops) : (creates, drops + 1);
        }

        return counts;
    }

    [GeneratedRegex("""(?<verb>CREATE|DROP) ROLE (?:IF EXISTS )?"(?<role>sb_[0-9a-z_]+)"(?=[\s;]|$)""", RegexOptions.Multiline)]
    private static partial Regex RoleDdl();
}
