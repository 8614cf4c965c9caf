namespace SecretsBroker.Core.Leasing;

/// <summary>The credential providers this broker has, by the name roles use.</summary>
public sealed class ProviderRegistry(IEnumerable<ICredentialProvider> providers)
{
    private readonly Dictionary<string, ICredentialProvider> byName = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public ICredentialProvider? Find(string name) => byName.GetValueOrDefault(name);

    public IReadOnlyCollection<string> Names => byName.Keys;
}
