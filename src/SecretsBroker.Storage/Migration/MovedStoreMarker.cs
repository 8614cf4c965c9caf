namespace SecretsBroker.Storage.Migration;

/// <summary>
/// The file beside an embedded database that says its data now lives in another store. Its one line is
/// that store's location (host, port, database, schema; never a login), and while it is there no broker
/// serves from the embedded file: two live stores would each issue leases the other cannot revoke.
/// </summary>
internal static class MovedStoreMarker
{
    public static string PathFor(string databasePath) => databasePath + ".moved";

    /// <summary>Where the store was moved to, or null when it was not.</summary>
    public static string? Read(string databasePath)
    {
        var path = PathFor(databasePath);
        if (!File.Exists(path))
        {
            return null;
        }

        var location = File.ReadAllText(path).Trim();
        return location.Length > 0 ? location : "another store (the marker file names none)";
    }

    /// <summary>Writes the marker, owner-only, refusing to replace one; flushed to disk before it returns.</summary>
    public static void Write(string databasePath, string location)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFiles.File;
        }

        using var file = new FileStream(PathFor(databasePath), options);
        using var writer = new StreamWriter(file);
        writer.WriteLine(location);
        writer.Flush();
        file.Flush(flushToDisk: true);
    }
}
