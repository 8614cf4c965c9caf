using System.Net.Http.Json;
using System.Text.Json;
using SecretsBroker.Contracts.Errors;

namespace SecretsBroker.Cli;

/// <summary>Turns a broker error answer (problem+json, or anything a proxy sends instead) into a failure.</summary>
internal static class FailedResponse
{
    public static async Task<CommandFailedException> ToFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (await TryReadProblemAsync(response, cancellationToken) is { Code.Length: > 0 } problem)
        {
            var message = string.IsNullOrWhiteSpace(problem.Detail) ? problem.Title : problem.Detail;
            return new CommandFailedException(problem.Code, message ?? "(no detail)", status);
        }

        return new CommandFailedException(
            "unexpected_response",
            $"the broker answered {status} {response.ReasonPhrase} without a problem description",
            status);
    }

    /// <summary>True when the answer is problem+json, which the broker uses for every error.</summary>
    public static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    private static async Task<ProblemResponse?> TryReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) != true)
        {
            return null;
        }

        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemResponse>(BrokerJson.Wire, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
