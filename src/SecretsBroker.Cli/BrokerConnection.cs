using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>Where the broker is and which token to present: flags first, then the environment.</summary>
/// <remarks>A class, not a record: a record's generated ToString would print the token.</remarks>
internal sealed class BrokerConnection
{
    public const string AddressVariable = "SECRETSBROKER_ADDR";
    public const string TokenVariable = "SECRETSBROKER_TOKEN";
    public const string TokenFileVariable = "SECRETSBROKER_TOKEN_FILE";
    public const string DefaultAddress = "http://127.0.0.1:8200";

    private BrokerConnection(Uri address, string? token, bool isWorkload)
    {
        Address = address;
        Token = token;
        IsWorkload = isWorkload;
    }

    /// <summary>The broker's base address, always ending in '/' so a path prefix behind a proxy survives.</summary>
    public Uri Address { get; }

    public string? Token { get; }

    /// <summary>True when <see cref="Token"/> is a CI job's OIDC token rather than an operator token.</summary>
    public bool IsWorkload { get; }

    /// <summary>Scheme, host and port only: safe for messages even if the address carries user info.</summary>
    public string DisplayAddress => $"{Address.Scheme}://{Address.Authority}";

    /// <summary>The address and the operator token, each from its flag or else the environment.</summary>
    public static BrokerConnection Resolve(ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable) =>
        new(ResolveAddress(parse, options, getEnvironmentVariable), ResolveOperatorToken(parse, options, getEnvironmentVariable), isWorkload: false);

    /// <summary>The address from its flag or the environment, with a token the caller resolved itself.</summary>
    public static BrokerConnection WithToken(
        ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable, string? token, bool isWorkload) =>
        new(ResolveAddress(parse, options, getEnvironmentVariable), token, isWorkload);

    /// <summary>True when <c>--token</c> or <c>--token-file</c> is on the command line (not merely in the environment).</summary>
    public static bool HasOperatorTokenFlag(ParseResult parse, GlobalOptions options) =>
        NonEmpty(parse.GetValue(options.Token)) is not null || NonEmpty(parse.GetValue(options.TokenFile)) is not null;

    public static string? ResolveOperatorToken(ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable)
    {
        string? token;
        if (NonEmpty(parse.GetValue(options.Token)) is { } fromFlag)
        {
            token = fromFlag.Trim();
        }
        else if (NonEmpty(parse.GetValue(options.TokenFile)) is { } fileFromFlag)
        {
            token = ReadTokenFile(fileFromFlag, "token_file_unreadable", "token");
        }
        else if (NonEmpty(getEnvironmentVariable(TokenVariable)) is { } fromEnvironment)
        {
            token = fromEnvironment.Trim();
        }
        else if (NonEmpty(getEnvironmentVariable(TokenFileVariable)) is { } fileFromEnvironment)
        {
            token = ReadTokenFile(fileFromEnvironment, "token_file_unreadable", "token");
        }
        else
        {
            return null;
        }

        return CheckShape(token, "invalid_token", "token");
    }

    /// <summary>Reads a token file; <paramref name="kind"/> names the token in the error ("token", "OIDC token").</summary>
    public static string ReadTokenFile(string path, string code, string kind)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage(code, $"cannot read the {kind} file: {e.Message}");
        }
    }

    /// <summary>Rejects a token that cannot be a bearer value. The message never quotes the token.</summary>
    public static string CheckShape(string token, string code, string kind)
    {
        // Checked here so a malformed token fails with our message, not HttpClient's (which may quote the header).
        // Printable ASCII only: HttpClient refuses a non-ASCII header value at send time, which would surface as "unreachable".
        if (token.Length == 0 || !token.All(c => c is > ' ' and <= '~'))
        {
            throw CommandFailedException.Usage(code, $"the {kind} is empty or contains whitespace, control or non-ASCII characters");
        }

        return token;
    }

    private static Uri ResolveAddress(ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable) =>
        ParseAddress(NonEmpty(parse.GetValue(options.Address))
            ?? NonEmpty(getEnvironmentVariable(AddressVariable))
            ?? DefaultAddress);

    private static Uri ParseAddress(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw CommandFailedException.Usage("invalid_address", $"'{text}' is not an http:// or https:// address");
        }

        if (address.AbsolutePath.EndsWith('/'))
        {
            return address;
        }

        var withSlash = new UriBuilder(address);
        withSlash.Path += "/";
        return withSlash.Uri;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
