namespace SecretsBroker.Server.Hooks;

/// <summary>
/// What one webhook event says: a run (<see cref="JobId"/> null) or one job of it finished in a project,
/// or nothing the broker acts on (<see cref="Ignored"/>, and <see cref="Ping"/> for GitHub's ping).
/// </summary>
internal sealed record HookFinding(string Event, string? Project, string? RunId, string? JobId)
{
    public bool Ends => Project is not null && RunId is not null;

    public bool IsPing => Event == "ping";

    public static HookFinding Ignored(string eventName) => new(eventName, null, null, null);

    public static HookFinding Ping { get; } = new("ping", null, null, null);
}
