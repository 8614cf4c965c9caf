using Npgsql;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Providers.Postgres;

/// <summary>The connection settings a <c>postgresql-admin</c> root secret holds, checked and turned into Npgsql's.</summary>
public static class PostgresAdminLogin
{
    private static readonly string[] Required = ["host", "port", "database", "username", "password"];

    public static Result<NpgsqlConnectionStringBuilder> Build(string secret, IReadOnlyDictionary<string, string> fields)
    {
        if (Required.FirstOrDefault(f => !fields.ContainsKey(f)) is { } missing)
        {
            return BrokerError.Invalid(ErrorCodes.MissingField, $"Secret '{secret}' is not a postgresql-admin secret: it has no '{missing}' field.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = fields["host"],
            Port = int.Parse(fields["port"], System.Globalization.CultureInfo.InvariantCulture),
            Database = fields["database"],
            Username = fields["username"],
            Password = fields["password"],
            Timeout = 5,
            ApplicationName = "secretsbroker",
        };
        if (fields.TryGetValue("sslmode", out var mode))
        {
            if (!Enum.TryParse<SslMode>(mode, ignoreCase: true, out var parsed))
            {
                return BrokerError.Invalid(ErrorCodes.InvalidField, $"Secret '{secret}' has an unknown 'sslmode'.");
            }

            builder.SslMode = parsed;
        }

        return builder;
    }

    /// <summary>A single unpooled session's settings: a pooled session opened with an old password would prove nothing.</summary>
    public static Result<string> Unpooled(IReadOnlyDictionary<string, string> fields)
    {
        var built = Build("rotation", fields);
        if (!built.IsSuccess)
        {
            return built.Error!;
        }

        built.Value.Pooling = false;
        return built.Value.ConnectionString;
    }
}
