namespace SecretsBroker.Server.Hosting;

/// <summary>The broker's start-up and request log lines. Each names ids and paths, never values.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Critical, Message = "Broker is SEALED and serves nothing but /healthz and /readyz: {Reason}")]
    public static partial void Sealed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Broker unsealed; database {DatabasePath}")]
    public static partial void Unsealed(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "First start: created master key file {MasterKeyPath}. Back it up: without it the database cannot be read.")]
    public static partial void MasterKeyCreated(ILogger logger, string masterKeyPath);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Applied migration {Script}")]
    public static partial void MigrationApplied(ILogger logger, string script);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "First start: created initial admin token {TokenId}")]
    public static partial void InitialTokenCreated(ILogger logger, string tokenId);
}
