using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Logging;

/// <summary>What the log tests share: a broker process able to lease, runner tokens, and requests carrying a trace id.</summary>
internal static class LoggedRequests
{
    /// <summary>Stores the JWT role's signing key with the initial admin token; both returned, so a test can look for them in the log.</summary>
    public static async Task<(string AdminToken, string Pem)> StoreSigningKeyAsync(BrokerProcess broker)
    {
        var adminToken = broker.AdminToken ?? throw new InvalidOperationException("the broker printed no initial admin token");
        using var admin = broker.Client(adminToken);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/{LeasingBroker.SigningKey}", new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = pem }))).EnsureSuccessStatusCode();
        return (adminToken, pem);
    }

    public static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();

    public static string RunnerToken(CiTokenIssuer ci, string repository, string? run = null) =>
        ci.Mint(SystemClock.Instance.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["sub"] = ci.SubjectFor(repository),
            [ci.RunClaim] = run ?? ci.RunId,
            [ci.JobClaim] = ci.JobId,
            [ci.ProjectClaim] = repository,
        });

    /// <summary>A client whose requests carry a valid traceparent of <paramref name="traceId"/> and, when given, <paramref name="token"/>.</summary>
    public static HttpClient Traced(BrokerProcess broker, string traceId, string? token)
    {
        var client = broker.Client(token);
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return client;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? Assert.Single(values) : throw new Xunit.Sdk.XunitException($"the answer has no {name} header");
}
