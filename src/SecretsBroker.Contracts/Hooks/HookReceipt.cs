namespace SecretsBroker.Contracts.Hooks;

/// <summary>
/// The broker's answer to a CI platform's webhook delivery: <c>completed</c> (its leases revoked),
/// <c>unknown_run</c> (recorded, no lease of that run), <c>replayed</c> (seen before, nothing changed),
/// <c>ignored</c> (an event or action that ends nothing) or <c>pong</c> (GitHub's ping).
/// </summary>
public sealed record HookReceipt(string Outcome, int Revoked);
