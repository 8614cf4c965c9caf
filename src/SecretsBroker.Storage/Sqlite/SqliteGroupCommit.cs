using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Group commit: writes from many requests are run by one writer, in one transaction per batch, and
/// each request is answered only after that transaction is durably committed. One fsync serves the
/// whole batch, which is how throughput is won back without weakening <c>synchronous=FULL</c>. The
/// writes run straight in that transaction, with no savepoint each (a savepoint costs a sub-journal
/// per write): should one throw, the whole transaction is rolled back and the batch's writes are run
/// again one at a time, each in its own transaction, so one failing write fails only its own caller
/// and every answer comes from the run that committed. The writer keeps its connection, the commands
/// prepared on it (<see cref="SqlitePreparedStatements"/>) and the audit head it last committed
/// (<see cref="SqliteHeldAuditHead"/>) from batch to batch.
/// </summary>
public sealed class SqliteGroupCommit : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly SqliteDatabase db;
    private readonly Channel<PendingWrite> pending = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> writer;

    public SqliteGroupCommit(SqliteDatabase db)
    {
        this.db = db;
        writer = new Lazy<Task>(() => Task.Run(WriteLoopAsync));
    }

    /// <summary>Runs <paramref name="work"/> in the next batch; completes after the batch has committed.</summary>
    public Task<T> RunAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(work);
        _ = writer.Value;
        if (!pending.Writer.TryWrite(write))
        {
            throw new InvalidOperationException("The broker is shutting down.");
        }

        return write.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        if (writer.IsValueCreated)
        {
            await writer.Value;
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        SqliteConnection? connection = null;
        SqlitePreparedStatements? statements = null;
        SqliteHeldAuditHead? auditHead = null;
        try
        {
            while (await pending.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && pending.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                if (connection is null)
                {
                    connection = await db.OpenAsync(CancellationToken.None);
                    statements = SqlitePreparedStatements.AttachTo(connection);
                    auditHead = SqliteHeldAuditHead.AttachTo(connection);
                }

                if (!await CommitBatchAsync(connection, auditHead!, batch))
                {
                    // The prepared commands and the head held go with the connection; after a failed
                    // commit nobody knows which head it left, and the next connection reads it.
                    statements?.Dispose();
                    statements = null;
                    auditHead?.Dispose();
                    auditHead = null;
                    await connection.DisposeAsync();
                    connection = null;
                }
            }
        }
        finally
        {
            statements?.Dispose();
            auditHead?.Dispose();
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Runs and commits one batch; false when the connection should be replaced.</summary>
    private static async Task<bool> CommitBatchAsync(SqliteConnection connection, SqliteHeldAuditHead auditHead, List<PendingWrite> batch)
    {
        var failed = false;
        try
        {
            await using var transaction = connection.BeginTransaction();
            await auditHead.BeginAsync(transaction, CancellationToken.None);
            foreach (var write in batch)
            {
                try
                {
                    await write.ExecuteAsync(connection, transaction);
                }
#pragma warning disable CA1031 // The failure is told to its own write when the batch is replayed one by one.
                catch (Exception)
#pragma warning restore CA1031
                {
                    failed = true;
                    break;
                }
            }

            if (failed)
            {
                // What the failed write and those before it changed goes with the transaction.
                await transaction.RollbackAsync();
                auditHead.RolledBack();
            }
            else
            {
                await transaction.CommitAsync();
                auditHead.Committed();
            }
        }
#pragma warning disable CA1031 // A failed commit fails every write of the batch; the loop goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            batch.ForEach(w => w.Fail(e));
            return false;
        }

        if (failed)
        {
            return await ReplayOneByOneAsync(connection, auditHead, batch);
        }

        batch.ForEach(w => w.Complete());
        return true;
    }

    /// <summary>
    /// Runs each write of a batch that was rolled back in a transaction of its own: the one that threw
    /// fails alone (should it throw again), and the others commit, in the order they came, and are
    /// answered with what this run returned. Only a batch with a failing write pays one commit each.
    /// </summary>
    private static async Task<bool> ReplayOneByOneAsync(SqliteConnection connection, SqliteHeldAuditHead auditHead, List<PendingWrite> batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            try
            {
                await using var transaction = connection.BeginTransaction();
                await auditHead.BeginAsync(transaction, CancellationToken.None);
                try
                {
                    await write.ExecuteAsync(connection, transaction);
                }
#pragma warning disable CA1031 // The failure belongs to that one write and is handed to its caller.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    await transaction.RollbackAsync();
                    auditHead.RolledBack();
                    write.Fail(e);
                    continue;
                }

                await transaction.CommitAsync();
                auditHead.Committed();
            }
#pragma warning disable CA1031 // A failed commit or rollback fails this write and those not run yet.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var unanswered in batch.Skip(i))
                {
                    unanswered.Fail(e);
                }

                return false;
            }

            write.Complete();
        }

        return true;
    }

    private abstract class PendingWrite
    {
        public abstract Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception e);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work) : PendingWrite
    {
        // Continuations run off the writer, so a slow caller never holds up the next batch.
        private readonly TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;

        public Task<T> Completion => done.Task;

        public override async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction) =>
            result = await work(connection, transaction);

        public override void Complete() => done.TrySetResult(result!);

        public override void Fail(Exception e) => done.TrySetException(e);
    }
}
