using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.BreakGlass;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>A leasing broker whose policy lets operators break glass: one role alone, one with a second approver, one not at all.</summary>
internal static class BreakGlassWorld
{
    public const string Solo = "emergency-api";
    public const string TwoPerson = "prod-signing";
    public const string Justification = "Production API down, need to inspect signing path (pager alert 7)";

    public static string Policy(string repository) => $$"""
        roles:
          {{LeasingBroker.Role}}:
            provider: jwt
            secret: {{LeasingBroker.SigningKey}}
            settings: { audience: {{LeasingBroker.Audience}} }
            default_ttl: 10m
            max_ttl: 1h
            renewable: true
          {{Solo}}:
            provider: jwt
            secret: {{LeasingBroker.SigningKey}}
            settings: { audience: {{LeasingBroker.Audience}} }
            default_ttl: 5m
            max_ttl: 5m
            break_glass: { allowed: true, max_ttl: 30m }
          {{TwoPerson}}:
            provider: jwt
            secret: {{LeasingBroker.SigningKey}}
            settings: { audience: {{LeasingBroker.Audience}} }
            default_ttl: 5m
            max_ttl: 5m
            break_glass: { approvals: 2 }
        rules:
          - name: app-pipelines
            issuer: github
            claims: { repository: "{{repository}}" }
            roles: [{{LeasingBroker.Role}}]
            steps: ["deploy"]
            purposes: ["*"]

        """;

    public static Task<LeasingBroker> StartAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        LeasingBroker.StartAsync(settings, Policy);

    public static async Task<HttpClient> OperatorAsync(this LeasingBroker world, string name) =>
        world.Broker.Client(await world.Broker.CreateTokenAsync(name, "operator"));

    public static Task<HttpResponseMessage> BreakGlassAsync(this HttpClient client, string role, string? justification = Justification, string? incident = "INC-4711", long? ttlSeconds = null) =>
        client.PostAsJsonAsync(Routes.BreakGlass, new BreakGlassRequestBody(role, justification, incident, ttlSeconds));

    public static async Task<BreakGlassResponse> ReadAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<BreakGlassResponse>())!;

    public static async Task<string> CodeAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code;
}
