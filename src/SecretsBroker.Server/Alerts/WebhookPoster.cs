using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Alerts;

/// <summary>
/// Posts one alert to one configured webhook: the JSON event, signed with the webhook's key (read at
/// each post, so a replaced key takes effect without a restart). A refusal, an unreachable receiver or
/// a missing key is a failed post, logged by status or reason only, and retried by the delivery.
/// </summary>
internal sealed class WebhookPoster(
    IOptions<AlertOptions> options,
    SecretVault vault,
    IHttpClientFactory http,
    IClock clock,
    ILogger<WebhookPoster> logger) : IAlertWebhooks
{
    public const string HttpClientName = "alerts";

    public IReadOnlyList<string> Names => options.Value.Webhooks.Select(h => h.Name).ToList();

    public async Task<bool> PostAsync(string webhook, BreakGlassAlert alert, BreakGlassRequest request, CancellationToken ct)
    {
        if (options.Value.Webhooks.FirstOrDefault(h => h.Name == webhook) is not { } hook)
        {
            return false;
        }

        var now = clock.GetCurrentInstant();
        var body = JsonSerializer.Serialize(
            new AlertEvent(alert.Id, alert.Kind, now.ToDateTimeOffset(), alert.RaisedAt.ToDateTimeOffset(), request.Id, request.Role, request.RequesterActor, request.Requester,
                request.Approver, request.Incident, request.Justification, request.LeaseId, request.TtlSeconds, request.RequestedAt.ToDateTimeOffset()),
            BrokerJson.Options);
        if (await KeyOfAsync(hook, ct) is not { } key)
        {
            AlertLog.NoKey(logger, webhook, alert.Id);
            return false;
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        message.Headers.Add(AlertSignature.Header, AlertSignature.Sign(key, now.ToUnixTimeSeconds(), body));
        using var client = http.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(message, ct);
            if (!response.IsSuccessStatusCode)
            {
                AlertLog.Refused(logger, webhook, alert.Id, (int)response.StatusCode);
                return false;
            }
        }
        catch (HttpRequestException e)
        {
            AlertLog.Unreachable(logger, webhook, alert.Id, e.HttpRequestError.ToString());
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            AlertLog.Unreachable(logger, webhook, alert.Id, "timeout");
            return false;
        }

        AlertLog.Delivered(logger, alert.Kind, webhook, alert.Id, request.Id);
        return true;
    }

    private async Task<byte[]?> KeyOfAsync(AlertWebhook hook, CancellationToken ct)
    {
        if (hook.SecretFile is { } file)
        {
            try
            {
                return await File.ReadAllBytesAsync(file, ct);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        // A missing or sealed secret fails this post; the next try finds it once it is there.
        var revealed = await vault.RevealAsync(hook.SecretName!, ct);
        return revealed.IsSuccess && revealed.Value.TryGetValue(AlertWebhook.SecretField, out var value) && value.Length >= 16
            ? Encoding.UTF8.GetBytes(value)
            : null;
    }
}
