using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Auth;

/// <summary>
/// Authenticates operator bearer tokens. A missing, unknown, expired or revoked token gets 401 and a
/// wrong scope 403, both as problem+json and both audited; the token value is never logged or echoed.
/// </summary>
public sealed class BrokerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorTokenService tokens,
    RequestAudit audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string NoToken = "missing_token";
    private const string BadToken = "invalid_token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.Authorization.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (CallerClaims.BearerOf(Request) is not { } presented)
        {
            return AuthenticateResult.Fail(BadToken);
        }

        var token = await tokens.AuthenticateAsync(presented, Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail(BadToken);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, token.Id), new(CallerClaims.Actor, token.Actor) };
        if (token.Person is { } person)
        {
            claims.Add(new Claim(CallerClaims.Person, person));
        }

        claims.AddRange(token.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CallerClaims.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, CallerClaims.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var outcome = await HandleAuthenticateOnceSafeAsync();
        var reason = outcome.None ? NoToken : BadToken;
        await audit.RecordAsync(Context, AuditDecision.Denied, reason);
        Response.Headers.WWWAuthenticate = "Bearer";
        await BrokerProblem.WriteAsync(Context, new BrokerError(
            ErrorCodes.Unauthenticated,
            outcome.None ? "Send an operator token as 'Authorization: Bearer <token>'." : "The token is not valid: unknown, expired or revoked.",
            ErrorKind.Unauthenticated));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await audit.RecordAsync(Context, AuditDecision.Denied, ErrorCodes.InsufficientScope);
        await BrokerProblem.WriteAsync(Context, new BrokerError(
            ErrorCodes.InsufficientScope, "The token does not have the scope this endpoint needs.", ErrorKind.Forbidden));
    }
}
