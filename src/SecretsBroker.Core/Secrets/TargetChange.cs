namespace SecretsBroker.Core.Secrets;

/// <summary>What became of a credential change sent to a target.</summary>
public enum TargetChange
{
    /// <summary>The target confirmed the change.</summary>
    Made,

    /// <summary>The target refused or never received it: it is not made and never will be.</summary>
    NotMade,

    /// <summary>Sent, but no answer came (the connection dropped, a timeout): it may yet be made.</summary>
    Unknown,
}
