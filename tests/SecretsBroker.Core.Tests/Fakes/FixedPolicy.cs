using NodaTime;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>A policy for lease tests: role "deploy-api" (10 min default, 1 h max, renewable) for acme/app on github.</summary>
internal sealed class FixedPolicy : IPolicySource
{
    public static readonly RoleDefinition Role = new(
        "deploy-api", "fake", "signing-key", new Dictionary<string, string> { ["audience"] = "deploy" }, Duration.FromMinutes(10), Duration.FromHours(1), Renewable: true);

    public static readonly RoleDefinition Once = Role with { Name = "once", Renewable = false };

    public PolicyDocument Current { get; set; } = new(
        new Dictionary<string, RoleDefinition> { [Role.Name] = Role, [Once.Name] = Once },
        [new PolicyRule("acme-app", "github", new Dictionary<string, string> { ["repository"] = "acme/app" }, [Role.Name, Once.Name], ["*"], ["*"], null, 1)],
        "hash");
}
