namespace SecretsBroker.Core.BreakGlass;

/// <summary>What one break-glass sweep did: requests expired unapproved, issuances settled after a crash, review reminders raised.</summary>
public sealed record BreakGlassSweep(int Expired, int Settled, int Reminded)
{
    public bool DidAnything => Expired + Settled + Reminded > 0;
}
