using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace SecretsBroker.Cli;

/// <summary>
/// The standard help followed by a "Notes:" section for commands that need more than one line of
/// explanation. A command's description is also its line in the parent's command list, so it stays short.
/// </summary>
internal sealed class HelpNotes(HelpAction help, IReadOnlyDictionary<Command, string> notes) : SynchronousCommandLineAction
{
    private const string Indent = "  ";

    /// <summary>Help with missing required options is still help, as with the standard action.</summary>
    public override bool ClearsParseErrors => true;

    /// <summary>Replaces the action of <paramref name="root"/>'s help option; notes also apply to a command's subcommands.</summary>
    public static void Install(RootCommand root, IReadOnlyDictionary<Command, string> notes)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        option.Action = new HelpNotes((HelpAction)option.Action!, notes);
    }

    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = help.Invoke(parseResult);
        for (var command = parseResult.CommandResult; command is not null; command = command.Parent as CommandResult)
        {
            if (notes.TryGetValue(command.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Notes:");
                foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
                {
                    output.WriteLine(line.Length == 0 ? line : Indent + line);
                }

                output.WriteLine();
                break;
            }
        }

        return exitCode;
    }
}
