using System.CommandLine;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl policy …</c>: work with policy files.</summary>
internal static class PolicyCommands
{
    public static Command Create(CommandContext context) =>
        new("policy", "Work with policy files")
        {
            Check(context),
        };

    private static Command Check(CommandContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The YAML policy file" };
        var command = new Command("check", "Check a policy file offline with the broker's own parser; no broker is needed") { file };
        context.SetLocalAction(command, (parse, output, _) =>
        {
            var path = parse.GetRequiredValue(file);
            var result = PolicyParser.ParseFile(path);
            var policy = result.Document;
            if (output.IsJson)
            {
                output.Json(new PolicyCheckAnswer(path, result.IsValid, result.Hash, policy?.Roles.Count, policy?.Rules.Count, result.Errors));
            }
            else if (policy is not null)
            {
                output.Line($"policy OK: {policy.Roles.Count} roles, {policy.Rules.Count} rules, sha256 {policy.Hash}");
            }
            else
            {
                foreach (var error in result.Errors)
                {
                    output.Line(error.ToString());
                }
            }

            return result.IsValid
                ? Task.FromResult(ExitCodes.Success)
                : throw new CommandFailedException("policy_invalid", $"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
        });
        return command;
    }

    /// <summary>The <c>--json</c> answer: whether the file is valid, what it holds (null when it is not), and every error.</summary>
    private sealed record PolicyCheckAnswer(string File, bool Valid, string? Sha256, int? Roles, int? Rules, IReadOnlyList<PolicyError> Errors);
}
