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

    private BrokerConnection(Uri address, string? token)
    {
        Address = address;
        Token = token;
    }

    /// <summary>The broker's base address, always ending in '/' so a path prefix behind a proxy survives.</summary>
    public Uri Address { get; }

    public string? Token { get; }

    /// <summary>Scheme, host and port only: safe for messages even if the address carries user info.</summary>
    public string DisplayAddress => $"{Address.Scheme}://{Address.Authority}";

    public static BrokerConnection Resolve(ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable)
    {
        var address = NonEmpty(parse.GetValue(options.Address))
            ?? NonEmpty(getEnvironmentVariable(AddressVariable))
            ?? DefaultAddress;
        return new BrokerConnection(ParseAddress(address), ResolveToken(parse, options, getEnvironmentVariable));
    }

    private static string? ResolveToken(ParseResult parse, GlobalOptions options, Func<string, string?> getEnvironmentVariable)
    {
        string? token;
        if (NonEmpty(parse.GetValue(options.Token)) is { } fromFlag)
        {
            token = fromFlag.Trim();
        }
        else if (NonEmpty(parse.GetValue(options.TokenFile)) is { } fileFromFlag)
        {
            token = ReadTokenFile(fileFromFlag);
        }
        else if (NonEmpty(getEnvironmentVariable(TokenVariable)) is { } fromEnvironment)
        {
            token = fromEnvironment.Trim();
        }
        else if (NonEmpty(getEnvironmentVariable(TokenFileVariable)) is { } fileFromEnvironment)
        {
            token = ReadTokenFile(fileFromEnvironment);
        }
        else
        {
            return null;
        }

        // Checked here so a malformed token fails with our message, not HttpClient's (which may quote the header).
        if (token.Length == 0 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw CommandFailedException.Usage("invalid_token", "the token is empty or contains whitespace or control characters");
        }

        return token;
    }

    private static string ReadTokenFile(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage("token_file_unreadable", $"cannot read the token file: {e.Message}");
        }
    }

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
