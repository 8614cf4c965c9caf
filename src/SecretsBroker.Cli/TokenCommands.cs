using System.CommandLine;
using SecretsBroker.Contracts.Tokens;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl token …</c>: create, list and revoke operator tokens.</summary>
internal static class TokenCommands
{
    public static Command Create(CommandContext context) =>
        new("token", "Manage operator tokens")
        {
            CreateToken(context),
            List(context),
            Revoke(context),
        };

    private static Command CreateToken(CommandContext context)
    {
        var name = new Option<string>("--name") { Description = "A name saying who or what uses the token", HelpName = "NAME", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "A scope to grant: admin, security or operator (repeat for several)",
            HelpName = "SCOPE",
            Required = true,
        };
        var ttl = TtlParser.CreateOption($"Lifetime: {TtlParser.Examples} (seconds) [default: the broker's]");
        var command = new Command("create", "Create a token; its value is printed once and never again") { name, scopes, ttl };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var request = new CreateTokenRequest(parse.GetRequiredValue(name), parse.GetRequiredValue(scopes), parse.GetValue(ttl));
            var created = await broker.CreateTokenAsync(request, cancellationToken);
            if (output.IsJson)
            {
                output.Json(created);
                return ExitCodes.Success;
            }

            output.Fields(
                ("token", created.Token),
                ("id", created.Id),
                ("name", created.Name),
                ("scopes", Output.List(created.Scopes)),
                ("expires", Output.Time(created.ExpiresAt)));
            output.Line("Store the token now: the broker does not show it again.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CommandContext context)
    {
        var command = new Command("list", "List tokens (never their values)");
        context.SetBrokerAction(command, async (_, broker, output, cancellationToken) =>
        {
            var list = await broker.ListTokensAsync(cancellationToken);
            if (output.IsJson)
            {
                output.Json(list);
                return ExitCodes.Success;
            }

            var rows = list.Tokens
                .Select(token => new[]
                {
                    token.Id,
                    token.Name,
                    Output.List(token.Scopes),
                    Output.Time(token.CreatedAt),
                    Output.Time(token.ExpiresAt),
                    token.RevokedAt is { } revokedAt ? Output.Time(revokedAt) : "-",
                    token.CreatedBy,
                })
                .ToList();
            output.Table(["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "REVOKED", "CREATOR"], rows, whenEmpty: "no tokens");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CommandContext context)
    {
        var id = new Argument<string>("ID") { Description = "The token's id, as shown by 'token list'" };
        var command = new Command("revoke", "Revoke a token; requests with it fail from now on") { id };
        context.SetBrokerAction(command, async (parse, broker, output, cancellationToken) =>
        {
            var tokenId = parse.GetRequiredValue(id);
            await broker.RevokeTokenAsync(tokenId, cancellationToken);
            if (output.IsJson)
            {
                output.Json(new { id = tokenId, revoked = true });
            }
            else
            {
                output.Line($"token '{tokenId}' revoked");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
