using System.CommandLine;
using System.Text;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Cli;

/// <summary>
/// Where <c>sbctl lease</c> and <c>sbctl lease renew</c> put a credential, opened before the broker is asked:
/// a missing <c>$GITHUB_ENV</c> or an env file that already exists fails the command before a lease exists,
/// rather than after one was issued with nowhere to go.
/// </summary>
internal sealed class CredentialTarget : IDisposable
{
    // Only the job's own user may read a file holding a credential.
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string format;
    private readonly string? leaseIdFile;
    private readonly string? envFile;
    private FileStream? stream;
    private bool written;

    private CredentialTarget(string format, string? leaseIdFile, string? envFile, FileStream? stream)
    {
        this.format = format;
        this.leaseIdFile = leaseIdFile;
        this.envFile = envFile;
        this.stream = stream;
    }

    /// <summary>The format chosen and its file opened: <c>$GITHUB_ENV</c> for appending, or the new env file (mode 0600).</summary>
    public static CredentialTarget Open(ParseResult parse, CredentialTargetOptions options, bool json, Func<string, string?> getEnvironmentVariable)
    {
        var format = CredentialOutput.Choose(parse.GetValue(options.Format), json);
        var envFile = NonEmpty(parse.GetValue(options.EnvFile));
        var leaseIdFile = NonEmpty(parse.GetValue(options.LeaseIdFile));
        if (format == CredentialOutput.GitLab && envFile is null)
        {
            throw CommandFailedException.Usage("missing_env_file", $"--format {CredentialOutput.GitLab} writes the credential to a file: give --env-file FILE");
        }

        if (format != CredentialOutput.GitLab && envFile is not null)
        {
            throw CommandFailedException.Usage("env_file_not_allowed", $"--env-file is for --format {CredentialOutput.GitLab}");
        }

        return format switch
        {
            CredentialOutput.GitHub => new(format, leaseIdFile, null, OpenGitHubEnv(getEnvironmentVariable)),
            CredentialOutput.GitLab => new(format, leaseIdFile, envFile, CreateEnvFile(envFile!)),
            _ => new(format, leaseIdFile, null, null),
        };
    }

    /// <summary>Hands over <paramref name="issued"/>: the lease id file first (what a later revoke needs), then the credential.</summary>
    public void Write(Output output, IssuedLeaseResponse issued)
    {
        var lease = issued.Lease;
        if (leaseIdFile is not null)
        {
            WriteLeaseIdFile(lease);
        }

        switch (format)
        {
            case CredentialOutput.GitHub:
                WriteGitHub(output, issued);
                break;
            case CredentialOutput.GitLab:
                WriteFile(issued, Encoding.UTF8.GetBytes(string.Concat(CredentialOutput.Lines(issued, CredentialOutput.Env).Select(line => line + "\n"))));
                output.Line($"lease '{lease.Id}' expires {Output.Time(lease.ExpiresAt)}: {Names(issued)} written to {envFile} (source it; remove it once sourced)");
                break;
            default:
                CredentialOutput.Write(output, issued, format);
                break;
        }

        written = true;
    }

    /// <summary>Closes the file; an env file that never received the whole credential is removed.</summary>
    public void Dispose()
    {
        try
        {
            // After a failed write (a full disk) closing can fail too; that failure is reported already, and
            // must neither replace its error (which names the issued lease) nor keep a partial file in place.
            stream?.Dispose();
        }
        catch (IOException)
        {
        }
        finally
        {
            stream = null;
            if (!written && envFile is not null)
            {
                File.Delete(envFile);
            }
        }
    }

    private static FileStream OpenGitHubEnv(Func<string, string?> getEnvironmentVariable)
    {
        var path = NonEmpty(getEnvironmentVariable(GitHubWorkflowCommands.EnvFileVariable))
            ?? throw CommandFailedException.Usage(
                "missing_github_env",
                $"--format {CredentialOutput.GitHub} appends to the file named by ${GitHubWorkflowCommands.EnvFileVariable}, which is not set (is this a GitHub Actions step?)");
        try
        {
            return new FileStream(path, Options(FileMode.Append));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage("github_env_unwritable", $"cannot append to ${GitHubWorkflowCommands.EnvFileVariable}: {e.Message}");
        }
    }

    private static FileStream CreateEnvFile(string path)
    {
        try
        {
            // CreateNew: never into a file (or through a symlink) someone else put there first.
            return new FileStream(path, Options(FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw CommandFailedException.Usage("env_file_exists", $"the env file '{path}' exists already: sbctl writes a credential only to a new file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage("env_file_unwritable", $"cannot create the env file: {e.Message}");
        }
    }

    private static FileStreamOptions Options(FileMode mode)
    {
        // Unbuffered: a write that fails, fails in WriteFile, and no copy of the credential waits in a buffer.
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    private static string Names(IssuedLeaseResponse issued) => string.Join(", ", CredentialOutput.Variables(issued).Select(variable => variable.Name));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private void WriteGitHub(Output output, IssuedLeaseResponse issued)
    {
        var variables = CredentialOutput.Variables(issued);
        if (variables.FirstOrDefault(variable => variable.Value.Contains('\0', StringComparison.Ordinal)) is { Name: { } name })
        {
            throw CredentialOutput.Unprintable(issued.Lease, $"{name} holds a NUL character, which no environment variable can carry");
        }

        // Built in full first: the masks go out before the values reach the file, and a failure prints nothing.
        var masks = variables.Where(variable => variable.IsCredential).SelectMany(variable => GitHubWorkflowCommands.AddMask(variable.Value)).Distinct(StringComparer.Ordinal).ToList();
        var entries = string.Concat(variables.Select(variable => GitHubWorkflowCommands.EnvFileEntry(variable.Name, variable.Value)));
        foreach (var mask in masks)
        {
            output.Line(mask);
        }

        WriteFile(issued, Encoding.UTF8.GetBytes(entries));
        var lease = issued.Lease;
        output.Line($"lease '{lease.Id}' expires {Output.Time(lease.ExpiresAt)}: {Names(issued)} exported to ${GitHubWorkflowCommands.EnvFileVariable}");
    }

    private void WriteFile(IssuedLeaseResponse issued, byte[] contents)
    {
        try
        {
            stream!.Write(contents);
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            stream = null;
        }
        catch (IOException e)
        {
            throw new CommandFailedException(
                "credential_unwritable",
                $"cannot write the credential: {e.Message}; lease '{issued.Lease.Id}' was issued: revoke it with 'sbctl lease revoke {issued.Lease.Id}'");
        }
    }

    private void WriteLeaseIdFile(LeaseInfo lease)
    {
        try
        {
            using var file = new FileStream(leaseIdFile!, Options(FileMode.Create));
            file.Write(Encoding.UTF8.GetBytes(lease.Id + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(
                "lease_id_file_unwritable",
                $"cannot write the lease id file: {e.Message}; lease '{lease.Id}' was issued: revoke it with 'sbctl lease revoke {lease.Id}'");
        }
    }
}
