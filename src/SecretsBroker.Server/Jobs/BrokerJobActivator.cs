using Hangfire;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Creates jobs from this broker's own services. Hangfire's default activator is a process-wide
/// static that follows whichever host configured it last; a broker must never run a job with
/// another host's services (the test suite runs many brokers in one process).
/// </summary>
internal sealed class BrokerJobActivator(IServiceScopeFactory scopes) : JobActivator
{
    public override JobActivatorScope BeginScope(JobActivatorContext context) => new Scope(scopes.CreateScope());

    private sealed class Scope(IServiceScope scope) : JobActivatorScope
    {
        public override object Resolve(Type type) => ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);

        public override void DisposeScope() => scope.Dispose();
    }
}
