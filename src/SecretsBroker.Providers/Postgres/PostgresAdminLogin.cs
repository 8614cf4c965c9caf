using Npgsql;

namespace SecretsBroker.Providers.Postgres;

/// <summary>The connection settings a <c>postgresql-admin</c> root secret holds, for Npgsql.</summary>
public static class PostgresAdminLogin
{
    public static string ConnectionString(IReadOnlyDictionary<string, string> fields, int maxPoolSize = 4, bool pooling = true)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = fields["host"],
            Port = int.Parse(fields["port"], System.Globalization.CultureInfo.InvariantCulture),
            Database = fields["database"],
            Username = fields["username"],
            Password = fields["password"],
            Timeout = 5,
            CommandTimeout = 15,
            MaxPoolSize = maxPoolSize,
            Pooling = pooling,
        };
        if (fields.TryGetValue("sslmode", out var sslMode) && Enum.TryParse<SslMode>(sslMode, ignoreCase: true, out var mode))
        {
            builder.SslMode = mode;
        }

        return builder.ConnectionString;
    }
}
