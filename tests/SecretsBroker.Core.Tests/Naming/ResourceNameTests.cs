using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Tests.Naming;

public sealed class ResourceNameTests
{
    [Theory]
    [InlineData("app-db")]
    [InlineData("a")]
    [InlineData("prod.orders_db-2")]
    [InlineData("0lead-digit")]
    public void Safe_names_are_accepted(string name) => Assert.Null(ResourceName.Check(name, "name"));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("App-DB")]
    [InlineData("-leading-dash")]
    [InlineData(".hidden")]
    [InlineData("../etc/passwd")]
    [InlineData("with space")]
    [InlineData("semi;colon")]
    [InlineData("quote'd")]
    [InlineData("uni\u00e7ode")]
    public void Unsafe_names_are_refused_as_invalid_name(string? name) =>
        Assert.Equal(ErrorCodes.InvalidName, ResourceName.Check(name, "name")?.Code);

    [Fact]
    public void Names_longer_than_63_characters_are_refused_as_too_long()
    {
        Assert.Null(ResourceName.Check(new string('a', 63), "name"));
        Assert.Equal(ErrorCodes.NameTooLong, ResourceName.Check(new string('a', 64), "name")?.Code);
    }
}
