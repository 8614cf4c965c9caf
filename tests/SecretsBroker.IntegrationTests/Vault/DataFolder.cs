using System.Security.Cryptography;

namespace SecretsBroker.IntegrationTests.Vault;

/// <summary>The broker's data folder as bytes on disk, read the way an attacker with file access would.</summary>
internal static class DataFolder
{
    /// <summary>Every file in the folder, by name, with the SHA-256 of its content.</summary>
    public static SortedDictionary<string, string> Snapshot(string directory) =>
        new(
            Directory.EnumerateFiles(directory).ToDictionary(
                path => Path.GetFileName(path),
                path => Convert.ToHexStringLower(SHA256.HashData(ReadShared(path)))),
            StringComparer.Ordinal);

    /// <summary>The database, its -wal and its -shm, whichever exist, as one byte array per file.</summary>
    public static IReadOnlyDictionary<string, byte[]> DatabaseFiles(string databasePath) =>
        new[] { databasePath, databasePath + "-wal", databasePath + "-shm" }
            .Where(File.Exists)
            .ToDictionary(path => Path.GetFileName(path), ReadShared);

    /// <summary>Reads a file while the broker may still hold it open (and SQLite may map it).</summary>
    public static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }
}
