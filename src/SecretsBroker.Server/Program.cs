using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using SecretsBroker.Contracts;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Alerts;
using SecretsBroker.Server.Audit;
using SecretsBroker.Server.Auth;
using SecretsBroker.Server.Backups;
using SecretsBroker.Server.BreakGlass;
using SecretsBroker.Server.Health;
using SecretsBroker.Server.Hooks;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.Humans;
using SecretsBroker.Server.Identities;
using SecretsBroker.Server.Jobs;
using SecretsBroker.Server.Leases;
using SecretsBroker.Server.Logging;
using SecretsBroker.Server.Metrics;
using SecretsBroker.Server.Migration;
using SecretsBroker.Server.OpenApi;
using SecretsBroker.Server.Policy;
using SecretsBroker.Server.Secrets;
using SecretsBroker.Server.Tokens;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server;

/// <summary>The composition root: wires Core, Storage and Providers into one broker.</summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args is [MigrateStoreCommand.Name, ..])
        {
            Environment.ExitCode = await MigrateStoreCommand.RunAsync(args);
            return;
        }

        await using var app = Build(args);
        var outcome = await app.Services.GetRequiredService<Unsealer>().UnsealAsync(CancellationToken.None);
        if (outcome.InitialAdminToken is { } token)
        {
            // Written once, straight to the terminal and not through logging, like Vault's root token.
            await Console.Out.WriteLineAsync($"""

                Initial admin token (shown once, keep it safe):

                    {token}

                """);
        }

        await app.StartAsync();
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses)
        {
            await Console.Out.WriteLineAsync($"SecretsBroker listening on {address}{(outcome.Sealed ? " (SEALED)" : "")}");
        }

        await app.WaitForShutdownAsync();
    }

    /// <summary>Builds the broker; <paramref name="configure"/> lets the test fixture swap the clock and settings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files are found beside the binary, whatever the working folder (systemd, scripts).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddBrokerHosting();

        // HttpClient logs every request's URL at Information; a webhook URL may carry its secret in the path.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Services.AddAudit();
        builder.Services.AddSecrets();
        builder.Services.AddOperatorTokens();
        builder.Services.AddWorkloadIdentity();
        builder.Services.AddHumanSignIn();
        builder.Services.AddBrokerAuth();
        builder.Services.AddPolicy();
        builder.Services.AddLeasing();
        builder.Services.AddLeaseJobs();
        builder.Services.AddIdentityResponse();
        builder.Services.AddRunCompletionHooks();
        builder.Services.AddAlerts();
        builder.Services.AddBreakGlass();
        builder.Services.AddBackups();
        builder.Services.AddBrokerOpenApi();
        builder.Services.AddBrokerMetrics();
        builder.Services.LoadKeyRingOnFirstUse();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestIds();
        app.UseBrokerProblems();
        app.UseSealGate();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapBrokerMetrics();
        app.MapGroup(Routes.Secrets).WithBrokerDefaults(Scopes.Admin).WithTags("Secrets").MapSecretEndpoints();
        app.MapGroup(Routes.Tokens).WithBrokerDefaults(Scopes.Admin).WithTags("Tokens").MapTokenEndpoints();
        app.MapGroup(Routes.Audit).WithBrokerDefaults(Scopes.Security).WithTags("Audit").MapAuditEndpoints();
        app.MapGroup(Routes.Leases).WithBrokerDefaults(ScopePolicies.WorkloadOrOperator).WithTags("Leases").MapLeaseEndpoints();
        app.MapGroup(Routes.Runs).WithBrokerDefaults(ScopePolicies.WorkloadOrOperator).WithTags("Runs").MapRunEndpoints();
        app.MapGroup(Routes.Identities).WithBrokerDefaults(Scopes.Security).WithTags("Identities").MapIdentityEndpoints();
        app.MapGroup(Routes.Revocations).WithBrokerDefaults(Scopes.Security).WithTags("Identities").MapRevocationEndpoints();
        app.MapGroup(Routes.Leases).WithBrokerDefaults(ScopePolicies.AnyToken).WithTags("Leases").MapLeaseInventoryEndpoints();
        app.MapGroup(Routes.BreakGlass).WithBrokerDefaults(Scopes.Operator).WithTags("BreakGlass").MapBreakGlassEndpoints();
        app.MapGroup(Routes.Backups).WithBrokerDefaults(Scopes.Admin).WithTags("Backups").MapBackupEndpoints();
        app.MapIntrospectionEndpoints();
        app.MapHookEndpoints();
        app.MapJobsDashboard();
        app.MapBrokerOpenApi();
        return app;
    }
}
