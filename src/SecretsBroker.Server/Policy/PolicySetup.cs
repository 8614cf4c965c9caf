using SecretsBroker.Core.Policy;

namespace SecretsBroker.Server.Policy;

/// <summary>Policy as code: the policy file (loaded, watched, audited) and the evaluator that decides against it.</summary>
internal static class PolicySetup
{
    internal static IServiceCollection AddPolicy(this IServiceCollection services)
    {
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PolicyFile>();
        services.AddSingleton<IPolicySource>(sp => sp.GetRequiredService<PolicyFile>());
        // The same instance as IPolicySource: its StartAsync (after the unsealer has run) loads the file.
        services.AddHostedService(sp => sp.GetRequiredService<PolicyFile>());
        services.AddSingleton<PolicyEvaluator>();
        return services;
    }
}
