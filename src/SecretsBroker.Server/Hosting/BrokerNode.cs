using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// This process as the one broker of its data folder. Taken when the broker unseals (a sealed broker
/// writes nothing): the folder's lock file, held until the process ends, keeps a second broker off the
/// folder; the folder's node id (made on first use, kept across restarts) with a new incarnation is
/// the <see cref="LeaseWriter"/> stamped on leases written ahead. The lock is what makes "another
/// incarnation of my node" mean "a process that has ended", which lets the reconciler reclaim its
/// <c>issuing</c> leases at once.
/// </summary>
public sealed class BrokerNode : IDisposable
{
    public const string LockFileName = "broker.lock";
    public const string NodeIdFileName = "node-id";

    private FileStream? folderLock;
    private LeaseWriter? writer;

    /// <summary>This start's writer; asking before the broker unsealed is a bug.</summary>
    public LeaseWriter Writer => writer ?? throw new InvalidOperationException("The broker has not unsealed yet.");

    /// <summary>This node's id once the broker has unsealed; null before, for log lines written earlier.</summary>
    public string? NodeId => writer?.Node;

    /// <summary>Takes the data folder (or fails naming it, when another broker process holds it) and starts a new incarnation of its node.</summary>
    internal void Start(string dataDirectory)
    {
        folderLock = Lock(Path.Combine(dataDirectory, LockFileName), dataDirectory);
        writer = LeaseWriter.StartOn(ReadOrCreateNodeId(Path.Combine(dataDirectory, NodeIdFileName)));
    }

    public void Dispose() => folderLock?.Dispose();

    /// <summary>The data folder's lock alone, for an offline command that must not run beside a broker.</summary>
    internal static FileStream Lock(string path, string dataDirectory)
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

    /// <summary>
    /// The node id is random rather than derived from the host name or the path, so that two nodes
    /// do not share one by accident (a data folder copied to make another node must leave its file
    /// behind). A lost file only makes a new node: the earlier one's leftover leases then wait for the
    /// timeout, as another node's would.
    /// </summary>
    private static string ReadOrCreateNodeId(string path)
    {
        if (File.Exists(path))
        {
            var id = File.ReadAllText(path).Trim();
            return IsNodeId(id) ? id : throw new InvalidOperationException($"The node id file {path} is damaged; delete it and the broker makes a new one.");
        }

        var created = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var written = path + ".new";
        File.WriteAllText(written, created + "\n");
        File.Move(written, path);
        return created;
    }

    private static bool IsNodeId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
