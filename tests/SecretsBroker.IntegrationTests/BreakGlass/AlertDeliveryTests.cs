using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.BreakGlass;
using SecretsBroker.Server.Alerts;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>
/// Alerts are stored with what they report and delivered until every webhook has them: a refusal is
/// retried with the same event id, a webhook that has it is not sent it again, a restart loses none,
/// and an issuance cut short after its lease was written still raises one.
/// </summary>
public sealed class AlertDeliveryTests
{
    private static readonly Dictionary<string, string?> QuickRetries = new()
    {
        ["Alerts:RetryAfterSeconds"] = "1",
        ["Alerts:PollIntervalMilliseconds"] = "100",
    };

    [Fact]
    public async Task A_refused_alert_is_tried_again_with_the_same_id_until_the_webhook_takes_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync(refuseFirst: 2);
        await using var world = await BreakGlassWorld.StartAsync(With(receiver.Settings(), QuickRetries));
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var requestId = (await response.ReadAsync()).Request.Id;
        var refused = new[] { await receiver.NextRefusedAsync(), await WhileTimePassesAsync(world.Broker.Clock, receiver.NextRefusedAsync()) };
        var (signature, body) = await WhileTimePassesAsync(world.Broker.Clock, receiver.NextAsync());

        Assert.True(AlertSignature.Verify(receiver.Key, signature!, body));
        Assert.Equal(requestId, Field(body, "requestId"));
        Assert.All(refused, r => Assert.Equal(Field(body, "id"), Field(r, "id")));
        var row = await DeliveredAlertRowAsync(world, Field(body, "id"));
        Assert.Equal(2, row.Failures);
        Assert.True(row.DeliveredAt > 0);
    }

    [Fact]
    public async Task A_retry_goes_only_to_the_webhook_that_missed_the_alert()
    {
        await using var pager = await WebhookReceiver.StartAsync();
        await using var siem = await WebhookReceiver.StartAsync(refuseFirst: 1);
        await using var world = await BreakGlassWorld.StartAsync(With(pager.Settings(0, "pager"), siem.Settings(1, "siem"), QuickRetries));
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var toPager = await pager.NextAsync();
        var refusedBySiem = await siem.NextRefusedAsync();
        var toSiem = await WhileTimePassesAsync(world.Broker.Clock, siem.NextAsync());

        Assert.Equal(Field(toPager.Body, "id"), Field(toSiem.Body, "id"));
        Assert.Equal(Field(toPager.Body, "id"), Field(refusedBySiem, "id"));
        Assert.True(AlertSignature.Verify(siem.Key, toSiem.Signature!, toSiem.Body));
        Assert.False(pager.HasMore);
    }

    [Fact]
    public async Task An_alert_is_stored_before_the_answer_and_a_restart_does_not_lose_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var down = receiver.Settings();
        down["Alerts:Webhooks:0:Url"] = "http://127.0.0.1:1/hook";
        await using var world = await BreakGlassWorld.StartAsync(With(down, QuickRetries));
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var requestId = (await response.ReadAsync()).Request.Id;
        string alertId;
        using (var db = world.Broker.OpenRawDatabase())
        {
            alertId = await db.QuerySingleAsync<string>("SELECT id FROM alert WHERE request_id = @requestId AND delivered_at IS NULL", new { requestId });
        }

        await world.RestartAsync(receiver.Settings());
        var (signature, body) = await WhileTimePassesAsync(world.Broker.Clock, receiver.NextAsync());

        Assert.True(AlertSignature.Verify(receiver.Key, signature!, body));
        Assert.Equal(alertId, Field(body, "id"));
        Assert.Equal("break_glass.issued", Field(body, "kind"));
        Assert.Equal(requestId, Field(body, "requestId"));
    }

    [Fact]
    public async Task An_issuance_cut_short_after_its_lease_was_written_is_settled_and_alerted_by_the_sweep_and_one_without_a_lease_fails()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var world = await BreakGlassWorld.StartAsync(receiver.Settings());
        using var oncall = await world.OperatorAsync("oncall");
        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var written = (await issued.ReadAsync()).Request.Id;
        await receiver.NextAsync();
        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var unwritten = (await asked.ReadAsync()).Request.Id;
        using (var db = world.Broker.OpenRawDatabase())
        {
            // What a crash leaves: the lease committed (or not), the request still approved, no alert stored.
            await db.ExecuteAsync("DELETE FROM alert_delivery; DELETE FROM alert;");
            await db.ExecuteAsync("UPDATE break_glass_request SET state = 'approved', lease_id = NULL WHERE id = @written", new { written });
            await db.ExecuteAsync("UPDATE break_glass_request SET state = 'approved', approved_at = requested_at WHERE id = @unwritten", new { unwritten });
        }

        var sweep = world.Broker.Services.GetRequiredService<AlertJobs>();
        await sweep.SweepBreakGlassAsync();
        var tooSoon = await StateAsync(oncall, written);
        world.Broker.Clock.Advance(Duration.FromMinutes(6));
        await sweep.SweepBreakGlassAsync();
        var (signature, body) = await receiver.NextAsync();

        Assert.Equal("approved", tooSoon.State);
        var settled = await StateAsync(oncall, written);
        Assert.Equal("issued", settled.State);
        Assert.Equal(written, settled.LeaseId);
        Assert.Equal("failed", (await StateAsync(oncall, unwritten)).State);
        Assert.True(AlertSignature.Verify(receiver.Key, signature!, body));
        Assert.Equal(written, Field(body, "requestId"));
        Assert.Equal("break_glass.issued", Field(body, "kind"));
    }

    /// <summary>Moves the broker's clock on, 2 s every 100 ms, until <paramref name="task"/> is done: retries wait on the broker's clock.</summary>
    private static async Task<T> WhileTimePassesAsync<T>(FakeClock clock, Task<T> task)
    {
        while (!task.IsCompleted)
        {
            clock.Advance(Duration.FromSeconds(2));
            await Task.WhenAny(task, Task.Delay(100));
        }

        return await task;
    }

    private static Dictionary<string, string?> With(params Dictionary<string, string?>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);

    private static string? Field(string body, string name)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty(name).GetString();
    }

    private static async Task<BreakGlassInfo> StateAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<BreakGlassInfo>($"{Routes.BreakGlass}/{id}"))!;

    /// <summary>The alert's row once the broker has recorded its delivery (the receiver sees the post just before).</summary>
    private static async Task<(long Failures, long? DeliveredAt)> DeliveredAlertRowAsync(SecretsBroker.TestSupport.LeasingBroker world, string? id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            using (var db = world.Broker.OpenRawDatabase())
            {
                var row = await db.QuerySingleAsync<(long, long?)>("SELECT failures, delivered_at FROM alert WHERE id = @id", new { id });
                if (row.Item2 is not null || timeout.IsCancellationRequested)
                {
                    return row;
                }
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
