namespace SecretsBroker.TestSupport;

/// <summary>A PostgreSQL login a test made: its role name and password.</summary>
public sealed record PostgresLogin(string Username, string Password);
