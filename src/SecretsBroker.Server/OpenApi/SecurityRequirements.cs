using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Auth;
using SecretsBroker.Server.Identities;

namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// Which tokens an operation takes, read from the authorization policies on its endpoint, so the
/// document says what the server enforces. An anonymous endpoint gets no requirement at all.
/// </summary>
internal sealed class SecurityRequirements : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        if (policies.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Every policy on an endpoint must pass, so the tokens it takes are those all of them take.
        var accepted = policies.Select(Accepted).Aggregate(Intersect);
        operation.Security = accepted
            .Select(a => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(a.Key, context.Document)] = [.. a.Value] })
            .ToList();
        return Task.CompletedTask;
    }

    /// <summary>The schemes a policy lets through, each with the scopes it needs (none listed: any).</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> Accepted(string policy)
    {
        string[] securityOrOperator = [Scopes.Security, Scopes.Operator];
        return policy switch
        {
            ScopePolicies.Workload => new Dictionary<string, IReadOnlyList<string>> { [SecuritySchemes.WorkloadToken] = [] },
            ScopePolicies.AnyToken => Operators([]),
            ScopePolicies.WorkloadOrOperator => new Dictionary<string, IReadOnlyList<string>>(Operators(securityOrOperator)) { [SecuritySchemes.WorkloadToken] = [] },
            IdentitySetup.InventoryReaders => Operators(securityOrOperator),
            _ when Scopes.All.FirstOrDefault(s => ScopePolicies.NameOf(s) == policy) is { } scope => Operators([scope]),

            // A new policy must be described here before the document can be served.
            _ => throw new InvalidOperationException($"The OpenAPI description does not know the authorization policy '{policy}'."),
        };
    }

    private static Dictionary<string, IReadOnlyList<string>> Operators(IReadOnlyList<string> scopes) => new()
    {
        [SecuritySchemes.BrokerToken] = scopes,
        [SecuritySchemes.PersonToken] = scopes,
    };

    /// <summary>The schemes both take; for each, the scopes both allow (an empty list allows any).</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Intersect(
        IReadOnlyDictionary<string, IReadOnlyList<string>> a, IReadOnlyDictionary<string, IReadOnlyList<string>> b)
    {
        var both = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (scheme, scopes) in a)
        {
            if (!b.TryGetValue(scheme, out var other))
            {
                continue;
            }

            IReadOnlyList<string> common = scopes.Count == 0 ? other : other.Count == 0 ? scopes : scopes.Intersect(other).ToList();
            if (scopes.Count + other.Count == 0 || common.Count > 0)
            {
                both[scheme] = common;
            }
        }

        return both;
    }
}
