using Bogus;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// Bogus with a fixed seed: varied but repeatable values for the contracts. A Guid suffix keeps each
/// value unique, so no test depends on another's data even where backends share a database.
/// </summary>
public static class ContractFakers
{
    private static readonly Faker Faker = new() { Random = new Randomizer(20261123) };
    private static readonly object Gate = new();

    /// <summary>A valid resource name such as "orders-db-3f9a…".</summary>
    public static string Name(string prefix)
    {
        lock (Gate)
        {
            return $"{prefix}-{Faker.Hacker.Noun().ToLowerInvariant().Replace(' ', '-')}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 30)].TrimEnd('-');
        }
    }

    /// <summary>A CI workload's subject, such as "repo:acme/orders".</summary>
    public static string Subject()
    {
        lock (Gate)
        {
            return $"repo:{Faker.Internet.DomainWord()}/{Faker.Hacker.Noun().Replace(' ', '-')}-{Guid.NewGuid().ToString("N")[..8]}";
        }
    }

    /// <summary>A CI run id.</summary>
    public static string RunId()
    {
        lock (Gate)
        {
            return Faker.Random.Long(1_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Stands in for Data Protection ciphertext: stores keep it opaque.</summary>
    public static string Ciphertext()
    {
        lock (Gate)
        {
            return "CfDJ8" + Convert.ToBase64String(Faker.Random.Bytes(48));
        }
    }
}
