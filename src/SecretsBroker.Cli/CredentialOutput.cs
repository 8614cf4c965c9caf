using System.CommandLine;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Cli;

/// <summary>
/// How <c>sbctl lease</c> and <c>sbctl lease renew</c> print an issued credential: shell exports for
/// <c>eval</c>, dotenv lines, or the broker's JSON answer.
/// </summary>
internal static class CredentialOutput
{
    public const string Env = "env";
    public const string Dotenv = "dotenv";
    public const string Json = "json";

    public const string LeaseIdVariable = EnvQuoting.Prefix + "LEASE_ID";
    public const string ExpiresAtVariable = EnvQuoting.Prefix + "LEASE_EXPIRES_AT";

    public static Option<string> CreateFormatOption()
    {
        var format = new Option<string>("--format")
        {
            Description = $"{Env}: 'export {EnvQuoting.Prefix}NAME=value' lines for eval; {Dotenv}: NAME=value lines; "
                + $"{Json}: the broker's answer (same as --json) [default: {Env}]",
            HelpName = "FORMAT",
        };
        format.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && value is not (Env or Dotenv or Json))
            {
                result.AddError($"--format is {Env}, {Dotenv} or {Json}, not '{value}'.");
            }
        });
        return format;
    }

    /// <summary>The format asked for: <c>--format</c>, or json under <c>--json</c>, else env.</summary>
    public static string Choose(string? format, bool json)
    {
        if (json && format is not null and not Json)
        {
            throw CommandFailedException.Usage("conflicting_format", $"--json asks for JSON and --format for {format}; give one of them");
        }

        return json ? Json : format ?? Env;
    }

    /// <summary>Prints <paramref name="issued"/>; every line is built before the first is written, so a failure prints nothing.</summary>
    public static void Write(Output output, IssuedLeaseResponse issued, string format)
    {
        if (format == Json)
        {
            output.Json(issued);
            return;
        }

        foreach (var line in Lines(issued, format))
        {
            output.Line(line);
        }
    }

    /// <summary>
    /// The env or dotenv lines: <c>SB_LEASE_ID</c>, <c>SB_LEASE_EXPIRES_AT</c>, then one variable per
    /// credential field in the order of their names.
    /// </summary>
    public static IReadOnlyList<string> Lines(IssuedLeaseResponse issued, string format)
    {
        var lease = issued.Lease;
        var variables = new List<(string Name, string Value)> { (LeaseIdVariable, lease.Id), (ExpiresAtVariable, Output.Time(lease.ExpiresAt)) };
        var fieldOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in issued.Credential.OrderBy(field => field.Key, StringComparer.Ordinal))
        {
            var name = EnvQuoting.VariableName(key) ?? throw Unprintable(lease, $"credential field '{key}' has no letter or digit to name a variable after");
            if (name is LeaseIdVariable or ExpiresAtVariable)
            {
                throw Unprintable(lease, $"credential field '{key}' would overwrite {name}");
            }

            if (!fieldOf.TryAdd(name, key))
            {
                throw Unprintable(lease, $"credential fields '{fieldOf[name]}' and '{key}' would both be {name}");
            }

            variables.Add((name, value));
        }

        return variables
            .Select(variable =>
            {
                var quoted = format == Dotenv ? EnvQuoting.Dotenv(variable.Value) : EnvQuoting.Shell(variable.Value);
                if (quoted is null)
                {
                    // Names the variable, never the value: it is the credential.
                    throw Unprintable(lease, $"{variable.Name} holds characters {format} output cannot carry safely");
                }

                return format == Dotenv ? $"{variable.Name}={quoted}" : $"export {variable.Name}={quoted}";
            })
            .ToList();
    }

    // The lease exists by now; naming it lets the caller revoke it rather than leave it to expire.
    private static CommandFailedException Unprintable(LeaseInfo lease, string problem) =>
        new("credential_unprintable", $"{problem}; lease '{lease.Id}' was issued: use --format json, or revoke it with 'sbctl lease revoke {lease.Id}'");
}
