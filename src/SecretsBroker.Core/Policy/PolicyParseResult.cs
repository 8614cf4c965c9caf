namespace SecretsBroker.Core.Policy;

/// <summary>
/// What reading a policy file gave: the document when the file is valid, otherwise every error in
/// file order. <see cref="Hash"/> is the SHA-256 of the bytes read, null when none could be read.
/// </summary>
public sealed record PolicyParseResult(PolicyDocument? Document, IReadOnlyList<PolicyError> Errors, string? Hash)
{
    public bool IsValid => Document is not null;
}
