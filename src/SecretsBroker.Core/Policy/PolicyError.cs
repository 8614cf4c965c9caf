namespace SecretsBroker.Core.Policy;

/// <summary>One problem in a policy file, at the line and column (both from 1) where it is.</summary>
public sealed record PolicyError(string File, int Line, int Column, string Message)
{
    /// <summary>The compiler-style <c>FILE:LINE:COL: message</c> that editors and CI logs link to.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
