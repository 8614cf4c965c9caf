namespace SecretsBroker.Server.Hosting;

/// <summary>
/// This process as the one broker of its data folder. Taken when the broker unseals (a sealed broker
/// writes nothing): the folder's lock file, held until the process ends, keeps a second broker off the
/// folder, whose jobs would otherwise settle this one's work as if it had died.
/// </summary>
public sealed class BrokerNode : IDisposable
{
    public const string LockFileName = "broker.lock";

    private FileStream? folderLock;

    /// <summary>Takes the data folder, or fails naming it when another broker process holds it.</summary>
    internal void Start(string dataDirectory) => folderLock = Lock(Path.Combine(dataDirectory, LockFileName), dataDirectory);

    public void Dispose() => folderLock?.Dispose();

    private static FileStream Lock(string path, string dataDirectory)
    {
        try
        {
            // FileShare.None is an exclusive lock for the life of the handle (flock on Linux and macOS),
            // released by the kernel however the process ends, kill -9 included. The file stays.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Another broker process is using the data folder {dataDirectory} (it holds {path}); one broker process per data folder.", e);
        }
    }
}
