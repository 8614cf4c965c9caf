using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>The options every command takes: where the broker is, how to authenticate, how to print.</summary>
/// <remarks>
/// No default value factories: help prints defaults, and a default read from the environment would
/// print the token. <see cref="BrokerConnection"/> applies the environment instead.
/// </remarks>
internal sealed class GlobalOptions
{
    public Option<string> Address { get; } = new("--address")
    {
        Description = $"Broker address [env: {BrokerConnection.AddressVariable}] [default: {BrokerConnection.DefaultAddress}]",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = $"Operator token [env: {BrokerConnection.TokenVariable}]; prefer --token-file, argv is visible to other local users",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<string> TokenFile { get; } = new("--token-file")
    {
        Description = $"File holding the operator token [env: {BrokerConnection.TokenFileVariable}]",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the broker's answer as JSON, for scripts",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Address);
        root.Options.Add(Token);
        root.Options.Add(TokenFile);
        root.Options.Add(Json);
    }
}
