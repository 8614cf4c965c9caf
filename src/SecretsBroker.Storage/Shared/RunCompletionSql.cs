using System.Data;
using Dapper;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Storage.Shared;

/// <summary>The completion statements both dialects run unchanged (<see cref="Core.Completion.IRunCompletionStore"/>).</summary>
internal static class RunCompletionSql
{
    /// <summary>
    /// Whether a completion of the new lease's run, or of its job, in its project was recorded at or after
    /// its token was issued. Binds the lease's own values (<see cref="LeaseSql.WriteParameters"/>).
    /// </summary>
    public const string RefusesLease = """
        SELECT EXISTS (
            SELECT 1 FROM run_completion
            WHERE issuer = @Issuer AND run_id = @RunId AND project = @Project
              AND (job_id IS NULL OR job_id = @JobId) AND completed_at >= @TokenIssuedAt)
        """;

    /// <summary>No row for a delivery id or body recorded before: the caller answers it as a replay.</summary>
    public const string Record = """
        INSERT INTO run_completion (issuer, delivery_id, body_sha256, event, project, run_id, job_id, completed_at)
        VALUES (@Issuer, @Delivery, @BodyDigest, @Event, @Project, @RunId, @JobId, @At)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Whether the broker ever leased to the run in that project, in any state.</summary>
    public const string KnownRun = "SELECT EXISTS (SELECT 1 FROM lease WHERE issuer = @Issuer AND run_id = @RunId AND project = @Project)";

    /// <summary>The live leases a completion ends: the run's, or only its job's when it names one.</summary>
    public const string LiveOfCompletion = $"""
        issuer = @Issuer AND run_id = @RunId AND project = @Project AND (@JobId IS NULL OR job_id = @JobId) AND {LeaseSql.Live}
        """;

    public const string Prune = "DELETE FROM run_completion WHERE completed_at < @Before";

    /// <summary>The completion's values, with the reason and time its leases end with; the job typed, since it may be null.</summary>
    public static DynamicParameters Parameters(RunCompletion completion)
    {
        var args = new DynamicParameters(new
        {
            completion.Issuer,
            completion.Delivery,
            completion.BodyDigest,
            completion.Event,
            completion.Project,
            completion.RunId,
            completion.At,
            Reason = RevokeReasons.RunCompleted,
            Now = completion.At,
        });
        args.Add("JobId", completion.JobId, DbType.String);
        return args;
    }
}
