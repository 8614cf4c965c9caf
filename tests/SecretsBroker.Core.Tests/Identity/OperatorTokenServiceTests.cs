using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Identity;

public sealed class OperatorTokenServiceTests
{
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 11, 23, 9, 0));
    private readonly InMemoryTokenStore store = new();
    private readonly OperatorTokenService service;

    public OperatorTokenServiceTests() => service = new OperatorTokenService(store, clock);

    [Fact]
    public async Task A_new_token_is_stored_only_as_its_hash_and_authenticates()
    {
        var made = await service.CreateAsync("ci-admin", [Scopes.Security], Duration.FromHours(1), AuditContext.System, default);

        var value = made.Value.Value;
        Assert.StartsWith(TokenSecret.Prefix, value, StringComparison.Ordinal);
        Assert.DoesNotContain(store.Tokens, t => t.Hash.Contains(value, StringComparison.Ordinal));
        Assert.Equal(made.Value.Token.Id, (await service.AuthenticateAsync(value, default))?.Id);
        Assert.DoesNotContain(value, store.Audit.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_stops_working_at_its_expiry()
    {
        var made = await service.CreateAsync("short", [Scopes.Operator], Duration.FromMinutes(5), AuditContext.System, default);

        clock.Advance(Duration.FromMinutes(5) - Duration.FromMilliseconds(1));
        Assert.NotNull(await service.AuthenticateAsync(made.Value.Value, default));
        clock.Advance(Duration.FromMilliseconds(1));
        Assert.Null(await service.AuthenticateAsync(made.Value.Value, default));
    }

    [Fact]
    public async Task A_revoked_token_stops_working_and_cannot_be_revoked_twice()
    {
        var made = await service.CreateAsync("ops", [Scopes.Operator], null, AuditContext.System, default);

        var first = await service.RevokeAsync(made.Value.Token.Id, AuditContext.System, default);
        var second = await service.RevokeAsync(made.Value.Token.Id, AuditContext.System, default);

        Assert.True(first.IsSuccess);
        Assert.Equal(ErrorCodes.TokenNotFound, second.Error?.Code);
        Assert.Null(await service.AuthenticateAsync(made.Value.Value, default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer sbt_x")]
    [InlineData("not-a-broker-token")]
    public async Task Values_that_are_not_broker_tokens_never_authenticate(string? value) =>
        Assert.Null(await service.AuthenticateAsync(value, default));

    [Fact]
    public async Task Unknown_scopes_and_lifetimes_out_of_range_are_refused()
    {
        var badScope = await service.CreateAsync("x", ["root"], null, AuditContext.System, default);
        var noScope = await service.CreateAsync("x", [], null, AuditContext.System, default);
        var tooShort = await service.CreateAsync("x", [Scopes.Admin], Duration.FromSeconds(59), AuditContext.System, default);
        var tooLong = await service.CreateAsync("x", [Scopes.Admin], Duration.FromDays(367), AuditContext.System, default);

        Assert.Equal(ErrorCodes.InvalidScope, badScope.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidScope, noScope.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidTtl, tooShort.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidTtl, tooLong.Error?.Code);
        Assert.Empty(store.Tokens);
    }

    [Fact]
    public void Admin_includes_every_scope_and_others_only_their_own()
    {
        Assert.True(Scopes.Grants([Scopes.Admin], Scopes.Security));
        Assert.True(Scopes.Grants([Scopes.Security], Scopes.Security));
        Assert.False(Scopes.Grants([Scopes.Security], Scopes.Admin));
        Assert.False(Scopes.Grants([Scopes.Operator], Scopes.Security));
    }
}
