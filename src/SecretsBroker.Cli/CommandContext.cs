using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>
/// What a command body runs against: a broker client built from the global options, stdout and
/// stdin. The one place a <see cref="CommandFailedException"/> becomes the single stderr line.
/// </summary>
internal sealed class CommandContext(
    GlobalOptions globals, TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> getEnvironmentVariable)
{
    public TextReader In => stdin;

    /// <summary>Makes <paramref name="body"/> the action of <paramref name="command"/>, authenticated with the operator token.</summary>
    public void SetBrokerAction(Command command, Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse, p => BrokerConnection.Resolve(p, globals, getEnvironmentVariable), body, cancellationToken));

    /// <summary>
    /// Makes <paramref name="body"/> the action of a lease or run command, authenticated with the CI
    /// job's OIDC token (or, where <paramref name="use"/> allows, an operator token).
    /// </summary>
    public void SetWorkloadAction(
        Command command,
        Option<string> oidcTokenFile,
        WorkloadToken.Use use,
        Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse, p => WorkloadToken.Connect(p, globals, oidcTokenFile, use, getEnvironmentVariable), body, cancellationToken));

    private async Task<int> RunAsync(
        ParseResult parse,
        Func<ParseResult, BrokerConnection> connect,
        Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        try
        {
            var connection = connect(parse);
            using var transport = new BrokerTransport(connection);
            var output = new Output(stdout, parse.GetValue(globals.Json));
            return await body(parse, new BrokerClient(transport), output, cancellationToken);
        }
        catch (CommandFailedException failure)
        {
            await stderr.WriteLineAsync(failure.ErrorLine);
            return failure.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("error: cancelled: interrupted");
            return ExitCodes.Cancelled;
        }
    }
}
