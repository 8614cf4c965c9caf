using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace SecretsBroker.TestSupport;

/// <summary>
/// The real broker as a process of its own (the server binary built beside the tests, on the system
/// clock), for what only a process shows: being killed with SIGKILL, and the modes of the files it
/// makes under the umask it was started with. It listens on a free loopback port; what it prints is kept.
/// </summary>
public sealed partial class BrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerProcess(Process process) => this.process = process;

    public Uri Address { get; private set; } = null!;

    public int Id => process.Id;

    /// <summary>The initial admin token, printed on the folder's first start only.</summary>
    public string? AdminToken { get; private set; }

    /// <summary>Everything the process printed so far (its log lines included).</summary>
    public string Output => string.Join('\n', output);

    /// <summary>The lines printed so far, one by one.</summary>
    public IReadOnlyList<string> Lines => [.. output];

    /// <summary>Starts the broker on <paramref name="dataDirectory"/> with <paramref name="settings"/> as command-line settings, under <paramref name="umask"/>.</summary>
    public static async Task<BrokerProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> settings, string umask = "077")
    {
        // bash sets the umask and then becomes the broker (exec), so the process killed is the broker itself.
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("umask \"$1\" && shift && exec dotnet \"$@\"");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(umask);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SecretsBroker.Server.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add($"--Broker:DataDirectory={dataDirectory}");
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The master key is the folder's key file, never one this test process happens to carry.
        start.Environment.Remove("SECRETSBROKER_MASTER_KEY");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var broker = new BrokerProcess(process);
        process.OutputDataReceived += (_, line) => broker.Read(line.Data);
        process.ErrorDataReceived += (_, line) => broker.Read(line.Data);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last lines are read; this waits for both streams to end, so the message has all the process said.
            process.WaitForExit();
            broker.listening.TrySetException(new InvalidOperationException($"The broker exited before listening:\n{broker.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            broker.Address = await broker.listening.Task.WaitAsync(StartTimeout);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would end it: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        if (AdminToken is null && AdminTokenLine().Match(line) is { Success: true } token)
        {
            AdminToken = token.Groups[1].Value;
        }

        if (ListeningLine().Match(line) is { Success: true } address)
        {
            listening.TrySetResult(new Uri(address.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"^\s+(sbt_[A-Za-z0-9_-]+)\s*$")]
    private static partial Regex AdminTokenLine();

    [GeneratedRegex(@"^SecretsBroker listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
