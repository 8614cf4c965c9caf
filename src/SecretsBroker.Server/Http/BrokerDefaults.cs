using SecretsBroker.Server.Auth;

namespace SecretsBroker.Server.Http;

/// <summary>What every broker route group gets: the scope it needs, and the problem+json and audit filter.</summary>
public static class BrokerDefaults
{
    public static RouteGroupBuilder WithBrokerDefaults(this RouteGroupBuilder group, string scope)
    {
        group.RequireAuthorization(ScopePolicies.NameOf(scope)).AddEndpointFilter<BrokerEndpointFilter>();
        return group;
    }
}
