namespace SecretsBroker.Storage;

/// <summary>Files and folders the broker's store writes, made readable by the broker's user only, whatever the umask.</summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Folder = File | UnixFileMode.UserExecute;

    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, Folder);
    }

    /// <summary>Creates the file empty (or, unless <paramref name="mustBeNew"/>, opens the one there) before anything else opens it.</summary>
    public static void CreateFile(string path, bool mustBeNew)
    {
        var create = new FileStreamOptions { Mode = mustBeNew ? FileMode.CreateNew : FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = File;
        }

        using (new FileStream(path, create))
        {
        }
    }
}
