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

    /// <summary>Makes <paramref name="body"/> the action of <paramref name="command"/>.</summary>
    public void SetBrokerAction(Command command, Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));

    private async Task<int> RunAsync(
        ParseResult parse, Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            var connection = BrokerConnection.Resolve(parse, globals, getEnvironmentVariable);
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
