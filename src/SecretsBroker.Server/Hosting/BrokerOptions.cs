using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Hosting;

/// <summary>The <c>Broker</c> configuration section. Checked at start; a bad value stops the broker naming the key.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>Where the database and (by default) the master key file live. Created with mode 0700.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".broker-data";

    /// <summary>The master key file; defaults to <c>master.key</c> in the data directory. Ignored when
    /// <c>SECRETSBROKER_MASTER_KEY</c> is set.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>The largest request body accepted, in bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Where <c>POST /v1/backups</c> writes; defaults to <c>backups</c> in the data directory. Created with mode 0700.</summary>
    public string? BackupDirectory { get; set; }

    public string DatabasePath => Path.Combine(DataDirectory, "broker.db");

    public string BackupPath => BackupDirectory ?? Path.Combine(DataDirectory, "backups");

    /// <summary>Hangfire's jobs, beside the database and apart from it: the database stays the source of truth.</summary>
    public string JobStoragePath => Path.Combine(DataDirectory, "jobs.db");

    public string MasterKeyPath => MasterKeyFile ?? Path.Combine(DataDirectory, "master.key");
}
