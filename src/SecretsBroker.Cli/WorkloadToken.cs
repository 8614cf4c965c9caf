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
    public const string AudienceVariable = "SECRETSBROKER_AUDIENCE";

    // The broker picks the scheme by this prefix: an operator token sent as an OIDC token is an operator call.
    private const string OperatorTokenPrefix = "sbt_";

    /// <summary>Where the token comes from on common CI platforms, for the help of the lease and run commands.</summary>
    public const string PlatformHelp = $$"""
        The bearer is the CI job's OIDC token, read from --oidc-token-file FILE, {{TokenVariable}} or
        {{TokenFileVariable}} (never from an argument, and never printed). Without one, in a GitHub Actions job
        with 'permissions: id-token: write', sbctl asks GitHub's token endpoint ({{GitHubOidcToken.RequestUrlVariable}})
        for a fresh token with the audience from --audience or {{AudienceVariable}}.
          GitLab CI:       id_tokens: { {{TokenVariable}}: { aud: <broker audience> } }
          GitHub Actions:  {{AudienceVariable}}=<broker audience> (or --audience), nothing else
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

    /// <summary>
    /// The connection a lease or run command uses. Flags come before the environment, so an explicit
    /// <c>--token</c> beats an OIDC token the CI platform put in the environment (for <see cref="Use.OrOperator"/>);
    /// a token given as a file or variable comes before one fetched from GitHub's token endpoint.
    /// </summary>
    public static async Task<BrokerConnection> ConnectAsync(
        ParseResult parse,
        GlobalOptions globals,
        WorkloadTokenOptions options,
        Use use,
        Func<string, string?> getEnvironmentVariable,
        CancellationToken cancellationToken)
    {
        var fileFromFlag = NonEmpty(parse.GetValue(options.File));
        if (use == Use.OrOperator && fileFromFlag is null && BrokerConnection.HasOperatorTokenFlag(parse, globals))
        {
            return BrokerConnection.Resolve(parse, globals, getEnvironmentVariable);
        }

        if (Resolve(fileFromFlag, getEnvironmentVariable) is { } workload)
        {
            return BrokerConnection.WithToken(parse, globals, getEnvironmentVariable, workload, isWorkload: true);
        }

        if (GitHubOidcToken.IsOffered(getEnvironmentVariable))
        {
            // Checked before anything is sent, so a missing audience never costs a request.
            var audience = NonEmpty(parse.GetValue(options.Audience))?.Trim() ?? NonEmpty(getEnvironmentVariable(AudienceVariable))?.Trim()
                ?? throw CommandFailedException.Usage(
                    "missing_audience",
                    $"GitHub's token endpoint needs the broker's audience: pass --audience or set {AudienceVariable}");
            var fetched = Checked(await GitHubOidcToken.FetchAsync(audience, getEnvironmentVariable, cancellationToken));
            return BrokerConnection.WithToken(parse, globals, getEnvironmentVariable, fetched, isWorkload: true);
        }

        if (use == Use.Required)
        {
            throw CommandFailedException.Usage(
                "missing_oidc_token",
                $"no OIDC token: this takes the CI job's OIDC token, not an operator token; pass --oidc-token-file, set {TokenVariable} or {TokenFileVariable}, "
                + $"or run in a GitHub Actions job with 'permissions: id-token: write'");
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

        return Checked(token);
    }

    private static string Checked(string token)
    {
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
