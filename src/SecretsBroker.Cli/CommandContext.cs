using System.CommandLine;

namespace SecretsBroker.Cli;

/// <summary>
/// What a command body runs against: a broker client built from the global options (for commands
/// that talk to the broker), stdout and stdin. The one place a <see cref="CommandFailedException"/>
/// becomes the single stderr line.
/// </summary>
internal sealed class CommandContext(
    GlobalOptions globals, TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> getEnvironmentVariable)
{
    public TextReader In => stdin;

    /// <summary>The environment sbctl runs in (the process's, or a test's).</summary>
    public Func<string, string?> GetEnvironmentVariable => getEnvironmentVariable;

    /// <summary>Makes <paramref name="body"/> the action of <paramref name="command"/>.</summary>
    public void SetBrokerAction(Command command, Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) =>
            RunConnectedAsync(parse, _ => Task.FromResult(BrokerConnection.Resolve(parse, globals, getEnvironmentVariable)), body, cancellationToken));

    /// <summary>
    /// Makes <paramref name="body"/> the action of a lease or run command, authenticated with the CI
    /// job's OIDC token (or, where <paramref name="use"/> allows, an operator token).
    /// </summary>
    public void SetWorkloadAction(
        Command command,
        WorkloadTokenOptions tokenOptions,
        WorkloadToken.Use use,
        Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) =>
            RunConnectedAsync(
                parse,
                ct => WorkloadToken.ConnectAsync(parse, globals, tokenOptions, use, getEnvironmentVariable, ct),
                body,
                cancellationToken));

    /// <summary>Makes <paramref name="body"/> the action of a command that works offline: no broker address or token is looked at.</summary>
    public void SetLocalAction(Command command, Func<ParseResult, Output, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) => ReportFailuresAsync(() => body(parse, OutputFor(parse), cancellationToken), cancellationToken));

    private Output OutputFor(ParseResult parse) => new(stdout, parse.GetValue(globals.Json));

    private Task<int> RunConnectedAsync(
        ParseResult parse,
        Func<CancellationToken, Task<BrokerConnection>> connect,
        Func<ParseResult, BrokerClient, Output, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken) =>
        ReportFailuresAsync(
            async () =>
            {
                using var transport = new BrokerTransport(await connect(cancellationToken));
                return await body(parse, new BrokerClient(transport), OutputFor(parse), cancellationToken);
            },
            cancellationToken);

    private async Task<int> ReportFailuresAsync(Func<Task<int>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run();
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
