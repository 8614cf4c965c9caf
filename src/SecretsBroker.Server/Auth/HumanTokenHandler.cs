using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Humans;

namespace SecretsBroker.Server.Auth;

/// <summary>
/// Authenticates people by the OIDC token of a configured identity provider; their groups become
/// scopes. A refused token gets 401 and a missing scope 403, problem+json and audited; the token is
/// never logged or echoed.
/// </summary>
internal sealed class HumanTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    HumanTokenValidator validator,
    RequestAudit audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (CallerClaims.BearerOf(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var (person, refusal) = await validator.ValidateAsync(token, Context.RequestAborted);
        if (person is null)
        {
            Context.Items[typeof(BrokerError)] = new BrokerError(
                ErrorCodes.Unauthenticated, $"{refusal!.Reason}: {refusal.Explanation}", ErrorKind.Unauthenticated);
            return AuthenticateResult.Fail(refusal.Reason);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, person.Id), new(CallerClaims.Actor, person.Actor), new(CallerClaims.Person, person.Id) };
        claims.AddRange(person.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CallerClaims.HumanScheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, CallerClaims.HumanScheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync();
        var error = Context.Items[typeof(BrokerError)] as BrokerError
            ?? new BrokerError(ErrorCodes.Unauthenticated, "Send your identity provider's token as 'Authorization: Bearer <token>'.", ErrorKind.Unauthenticated);
        await audit.RecordAsync(Context, AuditDecision.Denied, error.Message);
        Response.Headers.WWWAuthenticate = "Bearer";
        await BrokerProblem.WriteAsync(Context, error);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await audit.RecordAsync(Context, AuditDecision.Denied, ErrorCodes.InsufficientScope);
        await BrokerProblem.WriteAsync(Context, new BrokerError(
            ErrorCodes.InsufficientScope, "Your groups do not grant the scope this endpoint needs.", ErrorKind.Forbidden));
    }
}
