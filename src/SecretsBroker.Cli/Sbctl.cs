using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace SecretsBroker.Cli;

/// <summary>sbctl itself, apart from <c>Program</c> so tests run it in-process with their own streams and environment.</summary>
public static class Sbctl
{
    /// <summary>Runs one sbctl command line and returns its exit code; help goes to <paramref name="stdout"/>, failures to <paramref name="stderr"/>.</summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        TextReader stdin,
        Func<string, string?> getEnvironmentVariable,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);

        var globals = new GlobalOptions();
        var context = new CommandContext(globals, stdout, stderr, stdin, getEnvironmentVariable);
        var lease = LeaseCommands.Create(context);
        var run = RunCommands.Create(context);
        var root = new RootCommand("sbctl: the command-line client of SecretsBroker")
        {
            StatusCommand.Create(context),
            SecretCommands.Create(context),
            TokenCommands.Create(context),
            AuditCommands.Create(context),
            lease,
            run,
            PolicyCommands.Create(context),
            IdentityCommands.Create(context),
            LeaseInventoryCommands.Create(context),
            BreakGlassCommands.Create(context),
        };
        globals.AddTo(root);
        HelpNotes.Install(root, new Dictionary<Command, string> { [lease] = LeaseCommands.Notes, [run] = RunCommands.Notes });

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            await stderr.WriteLineAsync(UsageErrorLine(parse));
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Failures are reported by CommandContext; the default handler would print a stack trace.
            EnableDefaultExceptionHandler = false,
            // The caller owns cancellation; in-process tests must not hook the process's Ctrl+C and SIGTERM.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug still ends in one line: stderr gets pasted into tickets, and a trace can carry request state.
            await stderr.WriteLineAsync($"error: internal: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failure;
        }
    }

    private static string UsageErrorLine(ParseResult parse)
    {
        // System.CommandLine quotes each unrecognized argument, and one may be a secret or token typed where
        // it does not belong ('--value S3CRET', '--tokn sbt_…'). Those errors are replaced by ones naming
        // only what looks like an option, without any '=value' part.
        var unmatched = parse.UnmatchedTokens;
        var messages = parse.Errors
            .Where(error => !unmatched.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            .Select(error => error.Message.ReplaceLineEndings(" "))
            .Concat(UnrecognizedMessages(unmatched));
        return $"error: usage: {string.Join(' ', messages)} See '{CommandPath(parse.CommandResult)} --help'.";
    }

    private static IEnumerable<string> UnrecognizedMessages(IReadOnlyList<string> tokens)
    {
        var options = tokens.Select(token => token.Split('=', ':')[0]).Where(LooksLikeOption).Distinct(StringComparer.Ordinal);
        foreach (var option in options)
        {
            yield return $"Unrecognized option '{option}'.";
        }

        var others = tokens.Count(token => !LooksLikeOption(token.Split('=', ':')[0]));
        if (others > 0)
        {
            yield return $"{others} unexpected argument{(others == 1 ? "" : "s")} (not repeated here: argv may hold secrets).";
        }
    }

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && token.Skip(1).All(c => c == '-' || char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : "sbctl";
}
