using System.Diagnostics;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>The real bash, for proving that what sbctl prints for <c>eval</c> evaluates to the exact values.</summary>
internal static class Bash
{
    /// <summary>
    /// Runs <c>eval "$(cat FILE)"; printf %s "$VARIABLE"</c> with <paramref name="script"/> in FILE and returns
    /// what printf wrote. bash gets only PATH from this process, so a variable it prints came from the script.
    /// </summary>
    public static async Task<string> EvalAndPrintAsync(string script, string variable)
    {
        using var file = new TempFile(script);
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"eval \"$(cat \"$1\")\"; printf %s \"${variable}\"");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(file.Path);
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");

        using var bash = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var printed = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0 && (await errors).Length == 0, $"bash exited {bash.ExitCode}: {await errors}");
        return await printed;
    }
}
