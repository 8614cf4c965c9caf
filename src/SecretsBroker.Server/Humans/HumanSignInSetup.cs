using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Humans;

/// <summary>People signing in as operators with their identity provider's OIDC token.</summary>
internal static class HumanSignInSetup
{
    internal static IServiceCollection AddHumanSignIn(this IServiceCollection services)
    {
        services.AddOptions<OperatorSignInOptions>().BindConfiguration(OperatorSignInOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorSignInOptions>, OperatorSignInOptionsValidator>();
        services.AddSingleton<HumanIssuers>();
        services.AddSingleton<HumanTokenValidator>();
        return services;
    }
}
