using SecretsBroker.Providers.Postgres;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>The one quoting function for PostgreSQL identifiers, and the grants template built on it.</summary>
public sealed class PostgresIdentifierTests
{
    [Theory]
    [InlineData("sb_0123abcd", "\"sb_0123abcd\"")]
    [InlineData("App", "\"App\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("x\"; DROP ROLE postgres; --", "\"x\"\"; DROP ROLE postgres; --\"")]
    [InlineData("schéma", "\"schéma\"")]
    public void Quote_wraps_in_double_quotes_and_doubles_embedded_ones(string name, string quoted) =>
        Assert.Equal(quoted, PostgresIdentifier.Quote(name));

    [Fact]
    public void Quote_refuses_names_postgresql_would_truncate_or_cannot_hold()
    {
        Assert.Equal("\"" + new string('a', 63) + "\"", PostgresIdentifier.Quote(new string('a', 63)));
        Assert.Throws<ArgumentException>(() => PostgresIdentifier.Quote(new string('a', 64)));
        Assert.Throws<ArgumentException>(() => PostgresIdentifier.Quote(new string('é', 32)));
        Assert.Throws<ArgumentException>(() => PostgresIdentifier.Quote(""));
        Assert.Throws<ArgumentException>(() => PostgresIdentifier.Quote("a\0b"));
    }

    [Fact]
    public void A_role_name_from_a_lease_id_carries_the_installation_and_fits_the_63_byte_limit()
    {
        var instance = new Core.Secrets.BrokerInstance(Core.Secrets.MasterKey.Generate);
        var handle = new PostgresCredentialProvider(null!, instance).HandleFor(Core.Leasing.LeaseId.New(NodaTime.SystemClock.Instance.GetCurrentInstant()));

        Assert.Equal(44, handle.Length);
        Assert.StartsWith($"sb_{instance.Id}_", handle, StringComparison.Ordinal);
        Assert.NotEqual(instance.Id, new Core.Secrets.BrokerInstance(Core.Secrets.MasterKey.Generate).Id);
        Assert.Equal($"\"{handle}\"", PostgresIdentifier.Quote(handle));
    }

    [Fact]
    public void The_grants_template_replaces_each_placeholder_with_a_quoted_identifier()
    {
        var expanded = GrantsTemplate.Expand("GRANT app_rw TO {{role}}; GRANT CONNECT ON DATABASE {{ database }} TO {{role}}; GRANT USAGE ON SCHEMA {{schema}} TO {{role}}", "sb_1", "my\"db", "app");

        Assert.True(expanded.IsSuccess);
        Assert.Equal("GRANT app_rw TO \"sb_1\"; GRANT CONNECT ON DATABASE \"my\"\"db\" TO \"sb_1\"; GRANT USAGE ON SCHEMA \"app\" TO \"sb_1\"", expanded.Value);
    }

    [Theory]
    [InlineData("ALTER ROLE {{role}} PASSWORD {{password}}", "{{password}}")]
    [InlineData("GRANT x TO {{ROLE}}", "{{ROLE}}")]
    [InlineData("GRANT x TO {{}}", "{{}}")]
    [InlineData("GRANT x TO {{role}} {{", "double braces")]
    [InlineData("GRANT x TO {{role-name}}", "double braces")]
    [InlineData("GRANT USAGE ON SCHEMA {{schema}} TO {{role}}", "'schema' setting")]
    public void The_grants_template_refuses_anything_but_the_whitelisted_placeholders(string template, string named)
    {
        var expanded = GrantsTemplate.Expand(template, "sb_1", "db", schema: null);

        Assert.False(expanded.IsSuccess);
        Assert.Equal("invalid_field", expanded.Error!.Code);
        Assert.Contains(named, expanded.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_grants_template_grants_nothing() =>
        Assert.Equal("", GrantsTemplate.Expand(null, "sb_1", "db", null).Value);
}
