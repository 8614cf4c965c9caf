using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>An operator's emergency request: the role, why, which incident, and optionally how long (capped by the role).</summary>
public sealed record BreakGlassCommand(string Role, string? Justification, string? Incident, Duration? Ttl);

/// <summary>Who is breaking glass, approving or reviewing: the operator token's id and its audit name.</summary>
public sealed record OperatorCaller(string TokenId, string Actor);

/// <summary>A request and, once issued, its lease with the credential (answered once, to whoever made it issue).</summary>
public sealed record BreakGlassOutcome(BreakGlassRequest Request, Leasing.IssuedLease? Issued);
