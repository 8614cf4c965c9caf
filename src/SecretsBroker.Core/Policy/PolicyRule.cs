using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Who may have which roles: identities of <see cref="Issuer"/> whose claims match every matcher
/// (exact or glob), for the listed roles, steps and purposes (globs), with an optional TTL cap.
/// </summary>
public sealed record PolicyRule(
    string Name,
    string Issuer,
    IReadOnlyDictionary<string, string> Claims,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> Purposes,
    Duration? MaxTtl,
    int Line);
