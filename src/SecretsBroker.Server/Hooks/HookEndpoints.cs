using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Hooks;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Hooks;

/// <summary>
/// <c>/v1/hooks/github</c> and <c>/v1/hooks/gitlab</c>: the CI platforms say when runs and jobs finish.
/// No broker token: a delivery proves itself with its issuer's webhook secret, checked by the receiver.
/// </summary>
internal static class HookEndpoints
{
    internal static IServiceCollection AddRunCompletionHooks(this IServiceCollection services)
    {
        services.AddSingleton<Core.Completion.WebhookCompletions>();

        // Stateless beyond the singletons it reads: the issuers and the completions service.
        services.AddSingleton<HookReceiver>();
        return services;
    }

    internal static WebApplication MapHookEndpoints(this WebApplication app)
    {
        var hooks = app.MapGroup("").AllowAnonymous().AddEndpointFilter<BrokerEndpointFilter>().WithTags("Hooks");
        hooks.MapPost(Routes.GitHubHook, (HttpContext http, HookReceiver receiver) => receiver.GitHubAsync(http))
            .WithName("ReceiveGitHubHook").WithSummary("Receive a GitHub webhook delivery that ends a workflow run or job")
            .DescribesJsonObject($"GitHub's webhook payload as GitHub sends it (`workflow_run`, `workflow_job` or `ping`, named by `{GitHubHook.EventHeader}`), "
                + $"signed by `{GitHubHook.SignatureHeader}` over these exact bytes.")
            .Produces<HookReceipt>().Produces<HookReceipt>(StatusCodes.Status202Accepted);
        hooks.MapPost(Routes.GitLabHook, (HttpContext http, HookReceiver receiver) => receiver.GitLabAsync(http))
            .WithName("ReceiveGitLabHook").WithSummary("Receive a GitLab webhook delivery that ends a pipeline or job")
            .DescribesJsonObject($"GitLab's webhook payload as GitLab sends it (a pipeline or job event), proved by the `{GitLabHook.TokenHeader}` header.")
            .Produces<HookReceipt>().Produces<HookReceipt>(StatusCodes.Status202Accepted);
        return app;
    }
}
