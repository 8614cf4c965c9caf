namespace SecretsBroker.Core.Outcomes;

/// <summary>
/// An expected failure with a stable code clients branch on. The message is for people and must
/// never carry a secret, token or connection string.
/// </summary>
public sealed record BrokerError(string Code, string Message, ErrorKind Kind)
{
    public static BrokerError Invalid(string code, string message) => new(code, message, ErrorKind.Invalid);

    public static BrokerError NotFound(string code, string message) => new(code, message, ErrorKind.NotFound);

    public static BrokerError Conflict(string code, string message) => new(code, message, ErrorKind.Conflict);
}
