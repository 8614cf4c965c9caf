using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Server.BreakGlass;

/// <summary>Break-glass: options and the service.</summary>
internal static class BreakGlassSetup
{
    internal static IServiceCollection AddBreakGlass(this IServiceCollection services)
    {
        services.AddOptions<BreakGlassOptions>().BindConfiguration(BreakGlassOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Where people sign in through an identity provider, only people (or tokens they made) take part.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BreakGlassOptions>>().Value is var o
            ? new BreakGlassSettings(
                o.MinJustificationLength,
                Duration.FromSeconds(o.ApprovalWindowSeconds),
                Duration.FromSeconds(o.ReviewReminderAfterSeconds),
                PeopleOnly: sp.GetRequiredService<IOptions<Humans.OperatorSignInOptions>>().Value.Issuers.Count > 0)
            : BreakGlassSettings.Default);
        services.AddSingleton<BreakGlassService>();
        return services;
    }
}
