using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Tokens;

/// <summary><c>/v1/tokens</c>: operator tokens for admins. A token's value is shown once, when it is made.</summary>
internal static class TokenEndpoints
{
    internal static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder tokens)
    {
        tokens.MapPost("/", (JsonBody<CreateTokenRequest> body, OperatorTokenService service, HttpContext http, CancellationToken ct) =>
            service.CreateAsync(
                    body.Value.Name, body.Value.Scopes, TtlSeconds.ToDuration(body.Value.TtlSeconds), RequestAudit.ContextOf(http), ct, http.User.FindFirst(Auth.CallerClaims.Person)?.Value)
                .ToHttp(made => Results.Created(
                    $"{Contracts.Routes.Tokens}/{made.Token.Id}",
                    new CreatedToken(made.Token.Id, made.Token.Name, made.Token.Scopes, made.Token.ExpiresAt.ToDateTimeOffset(), made.Value))))
            .WithName("CreateToken").WithSummary("Make an operator token, shown once")
            .DescribesBody<CreateTokenRequest>()
            .Produces<CreatedToken>(StatusCodes.Status201Created);

        tokens.MapGet("/", async (OperatorTokenService service, CancellationToken ct) =>
            Results.Ok(new TokenList((await service.ListAsync(ct)).Select(ToContract).ToList())))
            .WithName("ListTokens").WithSummary("List operator tokens, never their values")
            .Produces<TokenList>();

        tokens.MapDelete("/{id}", (string id, OperatorTokenService service, HttpContext http, CancellationToken ct) =>
            service.RevokeAsync(id, RequestAudit.ContextOf(http), ct).ToHttp(_ => Results.NoContent()))
            .WithName("RevokeToken").WithSummary("Revoke an operator token")
            .Produces(StatusCodes.Status204NoContent);

        return tokens;
    }

    private static TokenInfo ToContract(OperatorToken t) => new(
        t.Id, t.Name, t.Scopes, t.CreatedAt.ToDateTimeOffset(), t.ExpiresAt.ToDateTimeOffset(), t.RevokedAt?.ToDateTimeOffset(), t.CreatedBy);
}
