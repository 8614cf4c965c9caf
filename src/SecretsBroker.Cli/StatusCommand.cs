using System.CommandLine;
using SecretsBroker.Contracts.Health;

namespace SecretsBroker.Cli;

/// <summary><c>sbctl status</c>: is the broker ready, and (with a token) who am I to it.</summary>
internal static class StatusCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("status", "Show whether the broker is ready and, with a token, its version and who you are");
        context.SetBrokerAction(command, async (_, broker, output, cancellationToken) =>
        {
            var readiness = await broker.GetReadinessAsync(cancellationToken);
            // A sealed broker refuses /v1/status anyway; asking would replace the useful answer with an error.
            var status = readiness.IsReady && broker.HasToken ? await broker.GetStatusAsync(cancellationToken) : null;

            if (output.IsJson)
            {
                output.Json(new StatusAnswer(readiness.IsReady, readiness.Report, status));
            }
            else
            {
                output.Line(Describe(readiness, status));
            }

            return readiness.IsReady
                ? ExitCodes.Success
                : throw new CommandFailedException("not_ready", $"the broker is not ready: {readiness.Report.Status}", 503);
        });
        return command;
    }

    private static string Describe(Readiness readiness, BrokerStatus? status)
    {
        if (!readiness.IsReady)
        {
            var checks = readiness.Report.Checks.Select(check => $"{check.Key}={check.Value}");
            return $"{readiness.Report.Status}  checks {string.Join(' ', checks)}";
        }

        return status is null
            ? readiness.Report.Status
            : $"{readiness.Report.Status}  version {status.Version}  caller {status.Caller}  scopes {Output.List(status.Scopes)}";
    }

    /// <summary>The <c>--json</c> answer: readiness, the health report, and the caller when a token was given.</summary>
    private sealed record StatusAnswer(bool Ready, HealthReport Health, BrokerStatus? Broker);
}
