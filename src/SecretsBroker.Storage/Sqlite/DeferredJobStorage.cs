using Hangfire;
using Hangfire.Logging;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// A Hangfire storage that opens the real one at the first call that needs it and hands every call
/// on, so that resolving it (as the dashboard does while the host is built) opens nothing.
/// </summary>
internal sealed class DeferredJobStorage(Func<JobStorage> open) : JobStorage, IDisposable
{
    private readonly Lazy<JobStorage> storage = new(open, LazyThreadSafetyMode.ExecutionAndPublication);

    public override bool LinearizableReads => storage.Value.LinearizableReads;

    public override IMonitoringApi GetMonitoringApi() => storage.Value.GetMonitoringApi();

    public override IStorageConnection GetConnection() => storage.Value.GetConnection();

    public override IStorageConnection GetReadOnlyConnection() => storage.Value.GetReadOnlyConnection();

    public override IEnumerable<IBackgroundProcess> GetServerRequiredProcesses() => storage.Value.GetServerRequiredProcesses();

    public override IEnumerable<IBackgroundProcess> GetStorageWideProcesses() => storage.Value.GetStorageWideProcesses();

    public override IEnumerable<IStateHandler> GetStateHandlers() => storage.Value.GetStateHandlers();

    public override void WriteOptionsToLog(ILog logger) => storage.Value.WriteOptionsToLog(logger);

    public override bool HasFeature(string featureId) => storage.Value.HasFeature(featureId);

    public override string ToString() => storage.IsValueCreated ? storage.Value.ToString() ?? "" : "job storage (not opened yet)";

    public void Dispose()
    {
        if (storage.IsValueCreated && storage.Value is IDisposable opened)
        {
            opened.Dispose();
        }
    }
}
