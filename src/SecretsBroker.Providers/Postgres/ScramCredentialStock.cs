using System.Threading.Channels;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// A small stock of ready (password, verifier) pairs, so that a PostgreSQL mint does not spend its
/// PBKDF2 (about 1.2 ms of CPU at 4096 iterations) on the request path.
/// <para>
/// The iteration count stays at RFC 7677's 4096 rather than being lowered for speed: the minted
/// login is used by arbitrary CI clients, and some SCRAM client libraries refuse a server whose
/// count is under 4096. The cost is moved instead: a background task fills the stock up to
/// <see cref="Capacity"/> and refills it once a take leaves it under half; a mint takes one pair,
/// or computes its own when the stock is empty (a burst larger than the stock, or the first mint).
/// </para>
/// <para>
/// Each pair is handed out once (a channel read removes it) and is never logged. The stock lives
/// in memory only, like the password it replaces, which the mint also holds until it answers.
/// The filler starts at the first take, so a broker without PostgreSQL secrets never pays for it;
/// disposing stops it.
/// </para>
/// </summary>
internal sealed class ScramCredentialStock : IAsyncDisposable
{
    /// <summary>About 40 ms of CPU to fill; covers a burst of CI jobs starting together.</summary>
    public const int Capacity = 32;

    private readonly Channel<ScramCredential> stock = Channel.CreateBounded<ScramCredential>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleWriter = true });

    // One pending wake-up is enough: the filler tops the stock up to full whenever it runs.
    private readonly Channel<bool> refill = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource stopping = new();
    private readonly Lock starting = new();
    private Task? filler;
    private bool disposed;

    /// <summary>Pairs ready now.</summary>
    public int Count => stock.Reader.Count;

    /// <summary>A pair never handed out before: from the stock, or computed here when it is empty.</summary>
    public ScramCredential Take()
    {
        EnsureFilling();
        if (stock.Reader.TryRead(out var ready))
        {
            if (stock.Reader.Count < Capacity / 2)
            {
                refill.Writer.TryWrite(true);
            }

            return ready;
        }

        refill.Writer.TryWrite(true);
        return ScramCredential.New();
    }

    private void EnsureFilling()
    {
        if (Volatile.Read(ref filler) is not null)
        {
            return;
        }

        lock (starting)
        {
            if (filler is null && !disposed)
            {
                Volatile.Write(ref filler, Task.Run(() => FillAsync(stopping.Token)));
            }
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                while (stock.Reader.Count < Capacity && !ct.IsCancellationRequested)
                {
                    stock.Writer.TryWrite(ScramCredential.New());
                }

                await refill.Reader.ReadAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped by DisposeAsync.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? running;
        lock (starting)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            running = filler;
        }

        await stopping.CancelAsync();
        if (running is not null)
        {
            await running;
        }

        // What was left is dropped rather than kept for a take after disposal.
        while (stock.Reader.TryRead(out _))
        {
        }

        stopping.Dispose();
    }
}
