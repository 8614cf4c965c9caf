namespace SecretsBroker.Server.Workloads;

/// <summary>What checking a signed token needs of its issuer, whoever the tokens are for.</summary>
internal interface ITokenIssuer
{
    string Name { get; }

    string Issuer { get; }

    string Audience { get; }

    IReadOnlyList<string> Algorithms { get; }

    JwksSource Keys { get; }
}
