using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Server.Logging;

namespace SecretsBroker.Server.Hosting;

/// <summary>The operator's settings file, options, clock, loopback-only default address, request limits, the database, the seal and the data folder's lock.</summary>
internal static class HostingSetup
{
    /// <summary>Loopback only unless configured otherwise: a fresh broker is not reachable from the network.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8200";

    internal static WebApplicationBuilder AddBrokerHosting(this WebApplicationBuilder builder)
    {
        // First, so that everything below (the listening address included) sees the operator's file.
        BrokerConfigFile.AddTo(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddBrokerLogging();

        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<BrokerOptions>>((kestrel, broker) =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = broker.Value.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            });

        // The only place the system clock appears: everything else takes IClock, and tests move a fake one.
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);

        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<BrokerOptions>>().Value);
        builder.Services.AddBrokerStore(builder.Configuration);
        builder.Services.AddSingleton<BrokerSeal>();

        // Holds the data folder's lock for the life of the host: one instance, disposed with it.
        builder.Services.AddSingleton<BrokerNode>();
        builder.Services.AddSingleton<MasterKeySource>();
        builder.Services.AddSingleton<Unsealer>();

        // Resolved only after unsealing; before that, asking for it throws rather than hand out nothing.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<BrokerSeal>().MasterKey);
        return builder;
    }
}
