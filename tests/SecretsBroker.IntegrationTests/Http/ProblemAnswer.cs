using System.Net;
using System.Text.Json;
using SecretsBroker.Contracts.Errors;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>Reads an answer as the broker's problem+json and checks the status and the stable code clients branch on.</summary>
internal static class ProblemAnswer
{
    public const string ContentType = "application/problem+json";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Checks a status, showing the answer when it is not the expected one.</summary>
    public static async Task ShouldBeAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
    }

    public static async Task<ProblemResponse> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(ContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<ProblemResponse>(body, Web);
        Assert.NotNull(problem);
        Assert.Equal(code, problem.Code);
        Assert.Equal((int)status, problem.Status);
        Assert.Equal($"urn:secretsbroker:error:{code}", problem.Type);
        return problem;
    }
}
