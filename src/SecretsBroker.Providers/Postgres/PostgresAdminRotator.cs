using System.Security.Cryptography;
using Npgsql;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// Rotates the password of a <c>postgresql-admin</c> root secret: the admin sets its own new
/// password (<c>ALTER ROLE CURRENT_USER</c>, so no identifier is spliced into SQL), and the new
/// password is proven by logging in with it. The password is 40 characters from [A-Za-z0-9], so it
/// is safe as a literal (CREATE/ALTER ROLE take no bind parameters).
/// </summary>
public sealed class PostgresAdminRotator : ISecretRotator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public string SecretType => Core.Secrets.SecretType.PostgresqlAdmin.Name;

    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 40);

    public IReadOnlyDictionary<string, string> NextFields(IReadOnlyDictionary<string, string> current) =>
        new Dictionary<string, string>(current, StringComparer.Ordinal) { ["password"] = NewPassword() };

    public async Task<Result<bool>> ApplyAsync(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> replacement, CancellationToken ct)
    {
        var password = replacement["password"];
        if (password.Any(c => !Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, "A rotated password must be alphanumeric.");
        }

        var login = PostgresAdminLogin.Unpooled(current);
        if (!login.IsSuccess)
        {
            return login.Error!;
        }

        try
        {
            await using var connection = new NpgsqlConnection(login.Value);
            await connection.OpenAsync(ct);
            await using var alter = new NpgsqlCommand($"ALTER ROLE CURRENT_USER PASSWORD '{password}'", connection);
            await alter.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new BrokerError(ErrorCodes.RotationFailed, "The PostgreSQL server refused the password change.", ErrorKind.Upstream);
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
