namespace SecretsBroker.Cli;

/// <summary>A command that cannot finish: the stable code, one-line message and exit code sbctl reports for it.</summary>
/// <remarks>
/// An exception rather than a result value because every failure ends the command the same way, and
/// <see cref="CommandContext"/> is the one place that turns it into the single stderr line.
/// Messages never carry a token or a secret value.
/// </remarks>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException(string code, string message, int? httpStatus = null, int exitCode = ExitCodes.Failure)
        : base(message)
    {
        Code = code;
        HttpStatus = httpStatus;
        ExitCode = exitCode;
    }

    /// <summary>The snake_case code scripts can match on, the broker's own when it sent one.</summary>
    public string Code { get; }

    public int? HttpStatus { get; }

    public int ExitCode { get; }

    /// <summary>The single stderr line, e.g. <c>error: secret_not_found: no secret named 'db' (404)</c>.</summary>
    public string ErrorLine => HttpStatus is { } status
        ? $"error: {Code}: {OneLine(Message)} ({status})"
        : $"error: {Code}: {OneLine(Message)}";

    /// <summary>A failure of the command line or a local input, found before anything was sent.</summary>
    public static CommandFailedException Usage(string code, string message) =>
        new(code, message, exitCode: ExitCodes.Usage);

    // Server-provided details may span lines; the promise to scripts is exactly one stderr line.
    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
