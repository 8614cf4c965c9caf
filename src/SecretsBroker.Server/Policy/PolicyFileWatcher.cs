using System.Threading.Channels;

namespace SecretsBroker.Server.Policy;

/// <summary>
/// Says when the policy file may have changed: at once when the file system reports an event for
/// it, and every poll interval whatever happened, because events go missing (network file systems,
/// a ConfigMap's symlink swap, an exhausted inotify limit). A burst of events, as an editor's save
/// makes, becomes one check once the file has been quiet for the debounce period.
/// </summary>
internal sealed class PolicyFileWatcher : IDisposable
{
    private readonly Channel<bool> signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly string path;
    private readonly TimeSpan poll;
    private readonly TimeSpan debounce;
    private readonly ILogger logger;
    private readonly FileSystemWatcher? events;

    public PolicyFileWatcher(string path, PolicyOptions options, TimeSpan debounce, ILogger logger)
    {
        this.path = path;
        poll = TimeSpan.FromSeconds(options.PollSeconds);
        this.debounce = debounce;
        this.logger = logger;
        if (!options.WatchEvents)
        {
            PolicyLog.PollingOnly(logger, path, "Policy:WatchEvents is false");
            return;
        }

        try
        {
            // The folder is watched, not the file: editors and deploy tools replace the file by
            // renaming another over it, and a watch on the old file would see nothing after that.
            events = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            events.Changed += (_, _) => Signal();
            events.Created += (_, _) => Signal();
            events.Deleted += (_, _) => Signal();
            events.Renamed += (_, _) => Signal();
            events.Error += (_, _) => Signal();
            events.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            events?.Dispose();
            events = null;
            PolicyLog.PollingOnly(logger, path, e.Message);
        }
    }

    /// <summary>Calls <paramref name="check"/> after every change signal (debounced) and every poll interval, until cancelled.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> check, CancellationToken ct)
    {
        while (true)
        {
            await WaitForChangeOrPollAsync(ct);
            try
            {
                await check(ct);
            }
#pragma warning disable CA1031 // One failed check (a locked database, a disk error) must not end the watching.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                PolicyLog.CheckFailed(logger, path, e);
            }
        }
    }

    public void Dispose() => events?.Dispose();

    private void Signal() => signals.Writer.TryWrite(true);

    private async Task WaitForChangeOrPollAsync(CancellationToken ct)
    {
        using (var pollDue = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            pollDue.CancelAfter(poll);
            try
            {
                await signals.Reader.ReadAsync(pollDue.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }
        }

        // Wait for the file to be quiet: a save is often truncate, write, write, close.
        do
        {
            await Task.Delay(debounce, ct);
        }
        while (signals.Reader.TryRead(out _));
    }
}
