using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// A named template for leases: which provider mints from which root secret, with which settings,
/// for how long by default and at most, whether a lease may be renewed, and whether operators may
/// break glass for it.
/// </summary>
public sealed record RoleDefinition(
    string Name,
    string Provider,
    string Secret,
    IReadOnlyDictionary<string, string> Settings,
    Duration DefaultTtl,
    Duration MaxTtl,
    bool Renewable,
    BreakGlassPolicy? BreakGlass = null);
