using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Hangfire's storage when several nodes share a PostgreSQL store: Hangfire.PostgreSql in the schema
/// beside the broker's (<see cref="PostgresDatabase.JobSchema"/>, owned by the same login), so every
/// node's workers take jobs from one queue and a recurring job is enqueued once, not once per node.
/// The broker's tables stay the source of truth: each job claims its rows there (FOR UPDATE SKIP
/// LOCKED or a conditional update), so even a job Hangfire ran twice does each piece of work once.
/// </summary>
public static class PostgresJobStorage
{
    private static readonly TimeSpan FinishedJobsKept = TimeSpan.FromHours(1);

    /// <summary>Registers the <see cref="JobStorage"/>, opened on first use (only an unsealed broker gets there).</summary>
    public static IServiceCollection AddPostgresJobStorage(this IServiceCollection services)
    {
        services.AddSingleton<JobStorage>(sp => new DeferredJobStorage(() => Open(sp.GetRequiredService<PostgresDatabase>())) { JobExpirationTimeout = FinishedJobsKept });
        return services;
    }

    private static PostgreSqlStorage Open(PostgresDatabase db)
    {
        var options = Options(db.JobSchema);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(db.JobConnectionString, options), options) { JobExpirationTimeout = FinishedJobsKept };
    }

    private static PostgreSqlStorageOptions Options(string schema) => new()
    {
        SchemaName = schema,

        // Its install script creates the schema only when missing, which the login may not do; the
        // schema exists (deploy/several-nodes.md) and is the login's own, so the tables are made in it.
        PrepareSchemaIfNecessary = true,

        // A fetched job's lease is renewed while it runs (every fifth of the timeout), so a long job (the
        // orphan sweep) is never handed to a second node, and a job whose node died is taken up again
        // after five minutes rather than Hangfire's default half hour. The library's issues about jobs run
        // twice on several servers all come from a job outliving a fixed invisibility timeout.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(5),

        // An idle worker looks again this often; the library listens for nothing on enqueue.
        QueuePollInterval = TimeSpan.FromMilliseconds(500),

        // A lock a killed node left holds its resource back at most this long.
        DistributedLockTimeout = TimeSpan.FromSeconds(30),

        // The library's default, which Npgsql's connection strings (Enlist=true) require of it.
        EnableTransactionScopeEnlistment = true,

        JobExpirationCheckInterval = TimeSpan.FromMinutes(10),
    };
}
