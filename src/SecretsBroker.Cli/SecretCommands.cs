using System.CommandLine;
using SecretsBroker.Contracts.Secrets;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl secret …</c>: write, list, show and delete root secrets.</summary>
/// <remarks>
/// Values are write-only and never taken from argv: command lines land in shell history and are
/// visible to every local user through the process list. They come from a file or stdin.
/// </remarks>
internal static class SecretCommands
{
    public static Command Create(CommandContext context) =>
        new("secret", "Manage root secrets (values are write-only: the broker never shows them)")
        {
            Put(context),
            List(context),
            Show(context),
            Rotate(context),
            Delete(context),
        };

    private static Command Put(CommandContext context)
    {
        var name = NameArgument();
        var type = new Option<string>("--type")
        {
            Description = "Secret type: postgresql-admin (host, port, database, username, password, optional sslmode) or generic",
            HelpName = "TYPE",
            Required = true,
        };
        var fromFile = new Option<string>("--from-file")
        {
            Description = "Read the fields from a JSON object in FILE ('-' reads stdin)",
            HelpName = "FILE",
        };
        var fromStdin = new Option<bool>("--from-stdin") { Description = "Read the fields from a JSON object on stdin" };
        var rotateEvery = TtlParser.CreateOption($"Have the broker rotate this secret on a schedule ({TtlParser.Examples}); postgresql-admin only", "--rotate-every");
        var command = new Command("put", "Create a secret or store a new version of it")
        {
            name, type, fromFile, fromStdin, rotateEvery,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(fromFile) is not null) == result.GetValue(fromStdin))
            {
                result.AddError("Give the fields with exactly one of --from-file FILE or --from-stdin.");
            }
        });

        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var fields = await SecretFieldsReader.ReadAsync(parse.GetValue(fromFile), context.In, cancellationToken);
            var request = new PutSecretRequest(parse.GetRequiredValue(type), fields, parse.GetValue(rotateEvery));
            var result = await broker.PutSecretAsync(parse.GetRequiredValue(name), request, cancellationToken);
            if (output.IsJson)
            {
                output.Json(result.Secret);
            }
            else
            {
                var verb = result.Created ? "created" : "updated";
                output.Line($"secret '{result.Secret.Name}' {verb} (version {result.Secret.Version})");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CommandContext context)
    {
        var command = new Command("list", "List secrets (names, types and field names; never values)");
        context.SetBrokerAction(command, async (_, broker, output, cancellationToken) =>
        {
            var list = await broker.ListSecretsAsync(cancellationToken);
            if (output.IsJson)
            {
                output.Json(list);
                return ExitCodes.Success;
            }

            var rows = list.Secrets
                .Select(secret => new[]
                {
                    secret.Name, secret.Type, secret.Version.ToString(), Output.Time(secret.UpdatedAt), Output.List(secret.FieldNames),
                })
                .ToList();
            output.Table(["NAME", "TYPE", "VERSION", "UPDATED", "FIELDS"], rows, whenEmpty: "no secrets");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CommandContext context)
    {
        var name = NameArgument();
        var command = new Command("show", "Show a secret's metadata and versions (never its values)") { name };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var secret = await broker.GetSecretAsync(parse.GetRequiredValue(name), cancellationToken);
            if (output.IsJson)
            {
                output.Json(secret);
                return ExitCodes.Success;
            }

            output.Fields(
                ("name", secret.Name),
                ("type", secret.Type),
                ("version", secret.Version.ToString()),
                ("fields", Output.List(secret.FieldNames)),
                ("created", Output.Time(secret.CreatedAt)),
                ("updated", Output.Time(secret.UpdatedAt)),
                ("rotate every", secret.RotateEverySeconds is { } every ? $"{every}s" : "-"));
            output.Line(string.Empty);
            var versions = secret.Versions
                .Select(version => new[] { version.Version.ToString(), Output.Time(version.CreatedAt), version.CreatedBy })
                .ToList();
            output.Table(["VERSION", "CREATED", "CREATOR"], versions, whenEmpty: "no versions");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rotate(CommandContext context)
    {
        var name = NameArgument();
        var command = new Command("rotate", "Rotate the credential a secret holds at its target (postgresql-admin: the admin password)") { name };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var secret = await broker.RotateSecretAsync(parse.GetRequiredValue(name), cancellationToken);
            if (output.IsJson)
            {
                output.Json(secret);
            }
            else
            {
                output.Line($"secret '{secret.Name}' rotated (version {secret.Version})");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CommandContext context)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a secret and all its versions") { name };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var secretName = parse.GetRequiredValue(name);
            await broker.DeleteSecretAsync(secretName, cancellationToken);
            if (output.IsJson)
            {
                output.Json(new { name = secretName, deleted = true });
            }
            else
            {
                output.Line($"secret '{secretName}' deleted");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The secret's name" };
}
