using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Alerts;

/// <summary>
/// Delivers one alert to one webhook: reads the request again, signs the JSON event with the
/// webhook's key and posts it. A failed delivery throws, and Hangfire retries it with backoff.
/// The break-glass sweep (expiring pending requests, review reminders) runs here too.
/// </summary>
public sealed class AlertJobs(
    IBreakGlassStore store,
    BreakGlassService breakGlass,
    SecretVault vault,
    IOptions<AlertOptions> options,
    IHttpClientFactory http,
    BrokerSeal seal,
    IClock clock,
    ILogger<AlertJobs> logger)
{
    public const string HttpClientName = "alerts";

    [AutomaticRetry(Attempts = 10)]
    public async Task DeliverAsync(string kind, string requestId, string webhook)
    {
        if (options.Value.Webhooks.FirstOrDefault(h => h.Name == webhook) is not { } hook || !BreakGlassAlertKinds.IsKnown(kind))
        {
            AlertLog.UnknownWebhook(logger, webhook);
            return;
        }

        if (await store.FindAsync(requestId, CancellationToken.None) is not { } request)
        {
            return;
        }

        var now = clock.GetCurrentInstant();
        var body = JsonSerializer.Serialize(
            new AlertEvent(kind, now.ToDateTimeOffset(), request.Id, request.Role, request.RequesterActor, request.Approver, request.Incident,
                request.Justification, request.LeaseId, request.TtlSeconds, request.RequestedAt.ToDateTimeOffset()),
            BrokerJson.Options);
        var key = await KeyOfAsync(hook);
        using var message = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        message.Headers.Add(AlertSignature.Header, AlertSignature.Sign(key, now.ToUnixTimeSeconds(), body));
        using var client = http.CreateClient(HttpClientName);
        using var response = await client.SendAsync(message);
        if (!response.IsSuccessStatusCode)
        {
            AlertLog.DeliveryFailed(logger, webhook, requestId, (int)response.StatusCode);
            throw new HttpRequestException($"Webhook '{webhook}' answered {(int)response.StatusCode}.");
        }

        AlertLog.Delivered(logger, kind, webhook, requestId);
    }

    private async Task<byte[]> KeyOfAsync(AlertWebhook hook)
    {
        if (hook.SecretFile is { } file)
        {
            return await File.ReadAllBytesAsync(file);
        }

        // A missing or sealed secret fails the attempt; Hangfire retries once it is there.
        var revealed = await vault.RevealAsync(hook.SecretName!, CancellationToken.None);
        return revealed.IsSuccess && revealed.Value.TryGetValue(AlertWebhook.SecretField, out var value) && value.Length >= 16
            ? Encoding.UTF8.GetBytes(value)
            : throw new InvalidOperationException($"Webhook '{hook.Name}': root secret '{hook.SecretName}' has no usable '{AlertWebhook.SecretField}' field.");
    }

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task SweepBreakGlassAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var (expired, reminded) = await breakGlass.SweepAsync(CancellationToken.None);
        if (expired + reminded > 0)
        {
            AlertLog.Swept(logger, expired, reminded);
        }
    }
}
