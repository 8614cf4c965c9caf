using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>An operator's emergency request: the role, why, which incident, and optionally how long (capped by the role).</summary>
public sealed record BreakGlassCommand(string Role, string? Justification, string? Incident, Duration? Ttl);

/// <summary>
/// Who is breaking glass, approving or reviewing: the id the two-person and review rules compare (the
/// person, <c>oidc:issuer:subject</c>, when the caller is one or holds a token made by one; else the
/// token's id), the audit name, and whether the id is a person's.
/// </summary>
public sealed record OperatorCaller(string TokenId, string Actor, bool IsPerson = false);

/// <summary>A request and, when the answer carries it, its lease with the credential (to the requester only: at issue, or when collected).</summary>
public sealed record BreakGlassOutcome(BreakGlassRequest Request, Leasing.IssuedLease? Issued);
