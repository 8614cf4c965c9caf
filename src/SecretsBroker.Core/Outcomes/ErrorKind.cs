namespace SecretsBroker.Core.Outcomes;

/// <summary>The family of an expected failure; the server maps each to one HTTP status.</summary>
public enum ErrorKind
{
    Invalid,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    TooLarge,
    UnsupportedMediaType,
    Unavailable,
    Upstream,
    Internal,
}
