using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Compromise;

/// <summary>
/// Which workload identities a revocation or block is about: one issuer's subject, or every identity
/// of that issuer with one exact claim value (a selector such as <c>repository=acme/app</c>).
/// </summary>
public sealed record IdentityTarget(string Issuer, string? Subject, string? ClaimName, string? ClaimValue)
{
    /// <summary>The rule's identity: one block rule per target.</summary>
    public string RuleKey => Subject is not null ? $"subject:{Issuer}:{Subject}" : $"claim:{Issuer}:{ClaimName}={ClaimValue}";

    /// <summary>How the target appears in the audit trail.</summary>
    public string Describe => Subject is not null ? $"identity:{Issuer}:{Subject}" : $"identity:{Issuer}:[{ClaimName}={ClaimValue}]";

    public bool Matches(WorkloadIdentity who) =>
        who.Issuer == Issuer && (Subject is not null
            ? who.Subject == Subject
            : who.Claims.TryGetValue(ClaimName!, out var value) && value == ClaimValue);

    /// <summary>Reads a target from a request: an issuer and either a subject or a <c>claim=value</c> selector, not both.</summary>
    public static Result<IdentityTarget> Parse(string? issuer, string? subject, string? selector)
    {
        // The broker's name for the issuer (no ':'), which is also what keeps rule keys unambiguous.
        if (issuer is null || ResourceName.Check(issuer, "issuer") is not null)
        {
            return BrokerError.Invalid(ErrorCodes.InvalidSelector, "The issuer is the broker's name for it (e.g. github), as in Workloads:Issuers.");
        }

        if ((subject is null) == (selector is null))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidSelector, "Name either a subject or a claim selector (claim=value), not both.");
        }

        if (subject is not null)
        {
            // No subject a platform issues holds a line break, and one here would never match but would enter the trail.
            return subject.Length is > 0 and <= 1000 && SingleLine.IsSingleLine(subject)
                ? new IdentityTarget(issuer, subject, null, null)
                : BrokerError.Invalid(ErrorCodes.InvalidSelector, "The subject must be 1 to 1000 characters on one line, without control characters.");
        }

        var equals = selector!.IndexOf('=', StringComparison.Ordinal);
        // The policy's rule for claim names: a claim a rule can match on is one the security team can revoke by.
        if (equals <= 0 || equals == selector.Length - 1 || selector.Length > 1000 || !Naming.ClaimName.IsValid(selector[..equals])
            || !SingleLine.IsSingleLine(selector))
        {
            return BrokerError.Invalid(
                ErrorCodes.InvalidSelector, $"The selector must be claim=value on one line, whose claim name {Naming.ClaimName.Rule}.");
        }

        return new IdentityTarget(issuer, null, selector[..equals], selector[(equals + 1)..]);
    }
}

/// <summary>A stored block: the target is refused on issue and renew until unblocked.</summary>
public sealed record BlockRule(IdentityTarget Target, string Reason, string? RevocationId, NodaTime.Instant At);

/// <summary>An identity the broker has issued to, with its latest claims and its live lease count.</summary>
public sealed record SeenIdentity(long Seq, string Issuer, string Subject, IReadOnlyDictionary<string, string> Claims, NodaTime.Instant FirstSeen, NodaTime.Instant LastSeen, long LiveLeases);

/// <summary>A mass revocation and how far its downstream clean-up has come.</summary>
public sealed record RevocationProgress(
    string Id, IdentityTarget Target, string Reason, bool Blocked, NodaTime.Instant At, long Total, long Done, long Failed, long Pending);
