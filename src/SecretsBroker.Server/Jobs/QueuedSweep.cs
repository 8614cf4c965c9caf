using System.Diagnostics;
using Hangfire;
using Hangfire.States;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// The sweep this node queued last, so the ticker queues the next one once that one is done instead
/// of piling them up. The job's state is read from the job storage, not from a flag the job clears:
/// with several nodes over one queue, the sweep one node queued may be run by another, or taken by a
/// node that then dies (its job stays Processing until Hangfire's invisibility timeout), so a sweep
/// still unfinished after <see cref="GiveUpAfter"/> no longer holds the next one back.
/// </summary>
internal sealed class QueuedSweep(JobStorage storage)
{
    /// <summary>Past the job storage's lock timeout (30 s), so a lock a dead node held has lapsed by then.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(45);

    private static readonly HashSet<string> Finished = [SucceededState.StateName, FailedState.StateName, DeletedState.StateName];

    private string? jobId;
    private long queuedAt;

    /// <summary>Whether a new sweep should be queued now.</summary>
    public bool IsDue()
    {
        if (jobId is null || Stopwatch.GetElapsedTime(queuedAt) > GiveUpAfter)
        {
            return true;
        }

        using var connection = storage.GetConnection();
        var state = connection.GetJobData(jobId)?.State;
        return state is null || Finished.Contains(state);
    }

    public void Queued(string id)
    {
        jobId = id;
        queuedAt = Stopwatch.GetTimestamp();
    }
}
