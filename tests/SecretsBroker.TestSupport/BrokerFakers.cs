using Bogus;

namespace SecretsBroker.TestSupport;

/// <summary>Bogus fakers with a fixed seed: varied but repeatable names and secret values.</summary>
public static class BrokerFakers
{
    private static readonly Faker Faker = new() { Random = new Randomizer(20261123) };
    private static readonly object Gate = new();

    /// <summary>A unique, valid resource name such as "orders-db-3f9a".</summary>
    public static string Name(string prefix = "res")
    {
        lock (Gate)
        {
            return $"{prefix}-{Faker.Hacker.Noun().ToLowerInvariant().Replace(' ', '-')}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 30)].TrimEnd('-');
        }
    }

    /// <summary>A distinctive secret value: easy to search for in raw bytes, logs and answers.</summary>
    public static string SecretValue()
    {
        lock (Gate)
        {
            return $"S3CRET-{Faker.Internet.Password(24, memorable: false)}-{Guid.NewGuid():N}";
        }
    }

    /// <summary>Fields of a PostgreSQL admin login whose password is <paramref name="password"/>.</summary>
    public static Dictionary<string, string> PostgresAdmin(string password)
    {
        lock (Gate)
        {
            return new Dictionary<string, string>
            {
                ["host"] = Faker.Internet.DomainName(),
                ["port"] = "5432",
                ["database"] = Faker.Database.Engine().ToLowerInvariant().Replace(' ', '_'),
                ["username"] = Faker.Internet.UserName().ToLowerInvariant(),
                ["password"] = password,
            };
        }
    }
}
