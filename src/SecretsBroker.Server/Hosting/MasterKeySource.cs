using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// Finds the master key: the <c>SECRETSBROKER_MASTER_KEY</c> environment variable first, then the key
/// file. The key never goes near the database.
/// </summary>
public sealed class MasterKeySource(IConfiguration configuration, BrokerOptions options)
{
    public const string EnvironmentVariable = "SECRETSBROKER_MASTER_KEY";

    public bool IsConfigured => !string.IsNullOrEmpty(configuration[EnvironmentVariable]) || File.Exists(options.MasterKeyPath);

    /// <summary>The key, or a reason it cannot be had that names only the variable or the file.</summary>
    public (MasterKey? Key, string? Problem) Read()
    {
        if (configuration[EnvironmentVariable] is { Length: > 0 } fromEnvironment)
        {
            return MasterKey.TryParse(fromEnvironment) is { } key
                ? (key, null)
                : (null, $"{EnvironmentVariable} is not a base64-encoded {MasterKey.SizeInBytes}-byte key.");
        }

        if (!File.Exists(options.MasterKeyPath))
        {
            return (null, $"No master key: set {EnvironmentVariable} or provide the key file {options.MasterKeyPath}.");
        }

        return MasterKey.TryParse(File.ReadAllText(options.MasterKeyPath)) is { } fileKey
            ? (fileKey, null)
            : (null, $"The master key file {options.MasterKeyPath} does not hold a base64-encoded {MasterKey.SizeInBytes}-byte key.");
    }

    /// <summary>Writes a new key file readable by its owner only (0600), refusing to replace one.</summary>
    public MasterKey CreateFile()
    {
        var key = MasterKey.Generate();
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(options.MasterKeyPath, fileOptions))
        {
            file.WriteLine(key.ToBase64());
            file.Flush();
            ((FileStream)file.BaseStream).Flush(flushToDisk: true);
        }

        return key;
    }
}
