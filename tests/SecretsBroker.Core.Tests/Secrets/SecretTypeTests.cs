using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Secrets;

public sealed class SecretTypeTests
{
    private static Dictionary<string, string> PostgresFields() => new()
    {
        ["host"] = "db.internal",
        ["port"] = "5432",
        ["database"] = "app",
        ["username"] = "admin",
        ["password"] = "pw",
    };

    [Fact]
    public void A_complete_postgresql_admin_login_is_accepted() => Assert.Null(SecretType.PostgresqlAdmin.Check(PostgresFields()));

    [Theory]
    [InlineData("host")]
    [InlineData("password")]
    [InlineData("port")]
    public void A_postgresql_admin_login_without_a_required_field_is_refused(string field)
    {
        var fields = PostgresFields();
        fields.Remove(field);

        var error = SecretType.PostgresqlAdmin.Check(fields);

        Assert.Equal(ErrorCodes.MissingField, error?.Code);
        Assert.Contains(field, error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("x")]
    public void A_port_outside_1_to_65535_is_refused(string port)
    {
        var fields = PostgresFields();
        fields["port"] = port;

        Assert.Equal(ErrorCodes.InvalidField, SecretType.PostgresqlAdmin.Check(fields)?.Code);
    }

    [Fact]
    public void Unknown_fields_are_refused_for_postgresql_but_not_for_generic()
    {
        var fields = PostgresFields();
        fields["note"] = "x";

        Assert.Equal(ErrorCodes.UnknownField, SecretType.PostgresqlAdmin.Check(fields)?.Code);
        Assert.Null(SecretType.Generic.Check(fields));
    }

    [Fact]
    public void Error_messages_never_quote_a_value()
    {
        var fields = PostgresFields();
        fields["password"] = new string('p', SecretType.MaxValueLength + 1);

        var error = SecretType.PostgresqlAdmin.Check(fields);

        Assert.Equal(ErrorCodes.InvalidField, error?.Code);
        Assert.DoesNotContain("ppp", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_type_name_is_refused() => Assert.Equal(ErrorCodes.UnknownSecretType, SecretType.Find("aws-root").Error?.Code);
}
