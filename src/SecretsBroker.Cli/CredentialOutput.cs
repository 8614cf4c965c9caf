using System.CommandLine;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Cli;

/// <summary>
/// How <c>sbctl lease</c> and <c>sbctl lease renew</c> hand over an issued credential: shell exports for
/// <c>eval</c>, dotenv lines, the broker's JSON answer, or (for CI runners) GitHub Actions' mask commands
/// and <c>$GITHUB_ENV</c> file, or a file of exports for a GitLab job to source. Where each goes is
/// <see cref="CredentialTarget"/>'s business.
/// </summary>
internal static class CredentialOutput
{
    public const string Env = "env";
    public const string Dotenv = "dotenv";
    public const string Json = "json";
    public const string GitHub = "github";
    public const string GitLab = "gitlab";

    public const string LeaseIdVariable = EnvQuoting.Prefix + "LEASE_ID";
    public const string ExpiresAtVariable = EnvQuoting.Prefix + "LEASE_EXPIRES_AT";

    /// <summary>
    /// The <c>--format</c> option; <paramref name="withCiRunnerFormats"/> adds github and gitlab, which only
    /// the lease commands take (they write files a CI platform reads).
    /// </summary>
    public static Option<string> CreateFormatOption(bool withCiRunnerFormats = false)
    {
        string[] formats = withCiRunnerFormats ? [Env, Dotenv, Json, GitHub, GitLab] : [Env, Dotenv, Json];
        var description = $"{Env}: 'export {EnvQuoting.Prefix}NAME=value' lines for eval; {Dotenv}: NAME=value lines; "
            + $"{Json}: the broker's answer (same as --json)";
        if (withCiRunnerFormats)
        {
            description += $"; {GitHub}: '::add-mask::' lines, the variables appended to $GITHUB_ENV; "
                + $"{GitLab}: the export lines written to --env-file FILE (mode 0600) for the job to source";
        }

        var format = new Option<string>("--format") { Description = description + $" [default: {Env}]", HelpName = "FORMAT" };
        format.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && !formats.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"--format is {string.Join(", ", formats[..^1])} or {formats[^1]}, not '{value}'.");
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

    /// <summary>Prints <paramref name="issued"/> to stdout as env, dotenv or json; every line is built before the first is written, so a failure prints nothing.</summary>
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
    /// The variables of <paramref name="issued"/>: <c>SB_LEASE_ID</c>, <c>SB_LEASE_EXPIRES_AT</c>, then one per
    /// credential field in the order of their names, each marked as credential or not (what must be masked).
    /// </summary>
    public static IReadOnlyList<(string Name, string Value, bool IsCredential)> Variables(IssuedLeaseResponse issued)
    {
        var lease = issued.Lease;
        var variables = new List<(string Name, string Value, bool IsCredential)>
        {
            (LeaseIdVariable, lease.Id, false),
            (ExpiresAtVariable, Output.Time(lease.ExpiresAt), false),
        };
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

            variables.Add((name, value, true));
        }

        return variables;
    }

    /// <summary>The env or dotenv lines of <see cref="Variables"/>.</summary>
    public static IReadOnlyList<string> Lines(IssuedLeaseResponse issued, string format) =>
        Variables(issued)
            .Select(variable =>
            {
                var quoted = format == Dotenv ? EnvQuoting.Dotenv(variable.Value) : EnvQuoting.Shell(variable.Value);
                if (quoted is null)
                {
                    // Names the variable, never the value: it is the credential.
                    throw Unprintable(issued.Lease, $"{variable.Name} holds characters {format} output cannot carry safely");
                }

                return format == Dotenv ? $"{variable.Name}={quoted}" : $"export {variable.Name}={quoted}";
            })
            .ToList();

    // The lease exists by now; naming it lets the caller revoke it rather than leave it to expire.
    public static CommandFailedException Unprintable(LeaseInfo lease, string problem) =>
        new("credential_unprintable", $"{problem}; lease '{lease.Id}' was issued: use --format json, or revoke it with 'sbctl lease revoke {lease.Id}'");
}
