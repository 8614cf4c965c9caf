using Microsoft.Extensions.Options;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Humans;

/// <summary>Checks the <c>Operators</c> section at start; every message names the key to fix.</summary>
internal sealed class OperatorSignInOptionsValidator(IOptions<WorkloadOptions> workloads) : IValidateOptions<OperatorSignInOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorSignInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        const string section = OperatorSignInOptions.Section;
        var workloadIssuers = workloads.Value.Issuers.Select(i => i.Issuer).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var key = $"{section}:Issuers:{i}";
            var issuer = options.Issuers[i];
            SignedTokenIssuerChecks.Check(key, issuer, problems);
            if (issuer.Issuer is { } iss && workloadIssuers.Contains(iss))
            {
                // One token would then be a person on operator endpoints and a workload on lease endpoints.
                problems.Add($"{key}:Issuer is also a workload issuer; people and CI jobs need issuers of their own.");
            }

            if (string.IsNullOrWhiteSpace(issuer.NameClaim))
            {
                problems.Add($"{key}:NameClaim must not be blank.");
            }

            if (string.IsNullOrWhiteSpace(issuer.GroupsClaim))
            {
                problems.Add($"{key}:GroupsClaim must not be blank.");
            }

            if (issuer.Scopes.Count == 0)
            {
                problems.Add($"{key}:Scopes must map at least one scope ({string.Join(", ", Scopes.All)}) to the groups that grant it.");
            }

            foreach (var (scope, groups) in issuer.Scopes)
            {
                if (!Scopes.IsKnown(scope))
                {
                    problems.Add($"{key}:Scopes:{scope} is not a scope; the scopes are {string.Join(", ", Scopes.All)}.");
                }

                if (groups.Count == 0 || groups.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"{key}:Scopes:{scope} must list the groups that grant it, none blank.");
                }
            }
        }

        SignedTokenIssuerChecks.Duplicates(section, options.Issuers, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
