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
/// Authenticates CI workloads by the OIDC token their platform issued for the job. The validated
/// identity rides on the request as a feature for the lease endpoints; the token is never logged.
/// </summary>
public sealed class WorkloadTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IWorkloadTokenValidator validator,
    RequestAudit audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (CallerClaims.BearerOf(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var validated = await validator.ValidateAsync(token, Context.RequestAborted);
        if (!validated.IsSuccess)
        {
            Context.Items[typeof(BrokerError)] = validated.Error;
            return AuthenticateResult.Fail(validated.Error!.Code);
        }

        var who = validated.Value;
        Context.Features.Set(who);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, who.Subject), new(CallerClaims.Actor, who.Actor), new(CallerClaims.Workload, who.Issuer) };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CallerClaims.WorkloadScheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, CallerClaims.WorkloadScheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var outcome = await HandleAuthenticateOnceSafeAsync();
        var error = Context.Items[typeof(BrokerError)] as BrokerError
            ?? new BrokerError(ErrorCodes.Unauthenticated, "Send the CI job's OIDC token as 'Authorization: Bearer <token>'.", ErrorKind.Unauthenticated);
        await audit.RecordAsync(Context, AuditDecision.Denied, outcome.None ? "missing_token" : error.Message);
        Response.Headers.WWWAuthenticate = "Bearer";
        await BrokerProblem.WriteAsync(Context, error);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await audit.RecordAsync(Context, AuditDecision.Denied, ErrorCodes.InsufficientScope);
        await BrokerProblem.WriteAsync(Context, new BrokerError(
            ErrorCodes.InsufficientScope, "This caller may not use this endpoint.", ErrorKind.Forbidden));
    }
}
