using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>
/// The CI job's OIDC token, the bearer of the lease and run commands. It comes from a file or the
/// environment and never from argv: a job's command lines end up in build logs and the process list.
/// </summary>
internal static class WorkloadToken
{
    public const string TokenVariable = "SECRETSBROKER_OIDC_TOKEN";
    public const string TokenFileVariable = "SECRETSBROKER_OIDC_TOKEN_FILE";

    // The broker picks the scheme by this prefix: an operator token sent as an OIDC token is an operator call.
    private const string OperatorTokenPrefix = "sbt_";

    /// <summary>Where the token comes from on common CI platforms, for the help of the lease and run commands.</summary>
    public const string PlatformHelp = $$"""
        The bearer is the CI job's OIDC token, read from --oidc-token-file FILE, {{TokenVariable}} or
        {{TokenFileVariable}} (never from an argument, and never printed).
          GitLab CI:       id_tokens: { {{TokenVariable}}: { aud: <broker audience> } }
          GitHub Actions:  with 'permissions: id-token: write', fetch it in the step first:
                           export {{TokenVariable}}="$(curl -sSf -H "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
                             "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=<broker audience>" | jq -r .value)"
          Kubernetes:      {{TokenFileVariable}}=<path of a projected service account token>
        """;

    /// <summary>How a command may authenticate.</summary>
    public enum Use
    {
        /// <summary>Only a workload may call (issue, renew): an operator token is not accepted.</summary>
        Required,

        /// <summary>A workload, or an operator when no OIDC token is configured or <c>--token</c>/<c>--token-file</c> is given.</summary>
        OrOperator,
    }

    /// <summary>The <c>--oidc-token-file</c> option, recursive so a command group's subcommands all take it.</summary>
    public static Option<string> CreateFileOption() => new("--oidc-token-file")
    {
        Description = $"File holding the CI job's OIDC token [env: {TokenVariable} (the token itself) or {TokenFileVariable}]",
        HelpName = "FILE",
        Recursive = true,
    };

    /// <summary>
    /// The connection a lease or run command uses. Flags come before the environment, so an explicit
    /// <c>--token</c> beats an OIDC token the CI platform put in the environment (for <see cref="Use.OrOperator"/>).
    /// </summary>
    public static BrokerConnection Connect(
        ParseResult parse, GlobalOptions globals, Option<string> fileOption, Use use, Func<string, string?> getEnvironmentVariable)
    {
        var fileFromFlag = NonEmpty(parse.GetValue(fileOption));
        if (use == Use.OrOperator && fileFromFlag is null && BrokerConnection.HasOperatorTokenFlag(parse, globals))
        {
            return BrokerConnection.Resolve(parse, globals, getEnvironmentVariable);
        }

        if (Resolve(fileFromFlag, getEnvironmentVariable) is { } workload)
        {
            return BrokerConnection.WithToken(parse, globals, getEnvironmentVariable, workload, isWorkload: true);
        }

        if (use == Use.Required)
        {
            throw CommandFailedException.Usage(
                "missing_oidc_token",
                $"no OIDC token: this takes the CI job's OIDC token, not an operator token; pass --oidc-token-file or set {TokenVariable} or {TokenFileVariable}");
        }

        var operatorConnection = BrokerConnection.Resolve(parse, globals, getEnvironmentVariable);
        return operatorConnection.Token is not null
            ? operatorConnection
            : throw CommandFailedException.Usage(
                "missing_token",
                $"no token: give the CI job's OIDC token (--oidc-token-file, {TokenVariable} or {TokenFileVariable}) "
                + $"or an operator token (--token, --token-file, {BrokerConnection.TokenVariable} or {BrokerConnection.TokenFileVariable})");
    }

    /// <summary>The token from <paramref name="fileFromFlag"/>, else the environment; null when none is configured.</summary>
    public static string? Resolve(string? fileFromFlag, Func<string, string?> getEnvironmentVariable)
    {
        string token;
        if (NonEmpty(fileFromFlag) is { } file)
        {
            token = ReadFile(file);
        }
        else if (NonEmpty(getEnvironmentVariable(TokenVariable)) is { } fromEnvironment)
        {
            token = fromEnvironment.Trim();
        }
        else if (NonEmpty(getEnvironmentVariable(TokenFileVariable)) is { } fileFromEnvironment)
        {
            token = ReadFile(fileFromEnvironment);
        }
        else
        {
            return null;
        }

        BrokerConnection.CheckShape(token, "invalid_oidc_token", "OIDC token");
        if (token.StartsWith(OperatorTokenPrefix, StringComparison.Ordinal))
        {
            throw CommandFailedException.Usage(
                "invalid_oidc_token", $"the OIDC token is an operator token ({OperatorTokenPrefix}…); give operator tokens with --token or --token-file");
        }

        return token;
    }

    private static string ReadFile(string path) => BrokerConnection.ReadTokenFile(path, "oidc_token_file_unreadable", "OIDC token");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
