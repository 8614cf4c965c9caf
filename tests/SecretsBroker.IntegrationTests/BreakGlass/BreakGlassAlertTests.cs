using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Server.Alerts;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>Every break-glass issuance, and every lease left unreviewed too long, reaches the webhooks signed.</summary>
public sealed class BreakGlassAlertTests
{
    [Fact]
    public async Task An_issuance_reaches_the_webhook_as_a_signed_event_with_the_timestamp_inside_the_signature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var world = await BreakGlassWorld.StartAsync(receiver.Settings());
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var issued = await response.ReadAsync();
        var (signature, body) = await receiver.NextAsync();

        Assert.NotNull(signature);
        Assert.True(AlertSignature.Verify(receiver.Key, signature, body));
        Assert.False(AlertSignature.Verify(receiver.Key, signature, body.Replace("INC-4711", "INC-4712", StringComparison.Ordinal)));
        Assert.False(AlertSignature.Verify("another-key-0123456789abcdef"u8.ToArray(), signature, body));
        Assert.StartsWith($"t={world.Broker.Clock.GetCurrentInstant().ToUnixTimeSeconds()},v1=", signature, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("break_glass.issued", root.GetProperty("kind").GetString());
        Assert.Equal(issued.Request.Id, root.GetProperty("requestId").GetString());
        Assert.Equal(issued.Lease!.Lease.Id, root.GetProperty("leaseId").GetString());
        Assert.Equal("INC-4711", root.GetProperty("incident").GetString());
        Assert.EndsWith(":oncall", root.GetProperty("requester").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("requesterId").GetString()));
        Assert.NotEqual(root.GetProperty("requester").GetString(), root.GetProperty("requesterId").GetString());
        Assert.Equal(BreakGlassWorld.Justification, root.GetProperty("justification").GetString());
        foreach (var value in issued.Lease.Credential.Values)
        {
            Assert.DoesNotContain(value, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_webhook_key_can_be_a_root_secret_in_the_vault()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = receiver.Settings();
        settings.Remove("Alerts:Webhooks:0:SecretFile");
        settings["Alerts:Webhooks:0:SecretName"] = "pager-hook-key";
        await using var world = await BreakGlassWorld.StartAsync(settings);
        using var admin = world.Broker.Admin();
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/pager-hook-key",
            new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = Encoding.UTF8.GetString(receiver.Key) }));
        put.EnsureSuccessStatusCode();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var (signature, body) = await receiver.NextAsync();

        Assert.True(AlertSignature.Verify(receiver.Key, signature!, body));
    }

    [Fact]
    public async Task A_webhook_without_a_key_stops_the_broker_at_start_naming_the_setting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Name"] = "pager",
            ["Alerts:Webhooks:0:Url"] = "http://127.0.0.1:9/hook",
        };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => BreakGlassWorld.StartAsync(settings));

        Assert.Contains("Alerts:Webhooks:0", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_webhook_an_issuance_logs_a_warning_that_nobody_was_told()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!world.Broker.Logs.All.Contains("nobody was told", StringComparison.Ordinal) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("no webhook is configured (Alerts:Webhooks): nobody was told", world.Broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_http_webhook_off_this_machine_stops_the_broker_at_start()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = receiver.Settings();
        settings["Alerts:Webhooks:0:Url"] = "http://alerts.example.com/hook";

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => BreakGlassWorld.StartAsync(settings));

        Assert.Contains("Alerts:Webhooks:0:Url", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webhook_url_never_reaches_the_log_since_its_path_may_be_its_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var world = await BreakGlassWorld.StartAsync(receiver.Settings());
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        await receiver.NextAsync();
        await Task.Delay(200);

        Assert.Contains("delivered to webhook security-pager", world.Broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(receiver.Url.AbsolutePath, world.Broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_break_glass_lease_left_unreviewed_past_the_reminder_age_raises_a_reminder_and_another_after_each_further_period()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = receiver.Settings();
        settings["BreakGlass:ReviewReminderAfterSeconds"] = "3600";
        await using var world = await BreakGlassWorld.StartAsync(settings);
        using var oncall = await world.OperatorAsync("oncall");
        var jobs = world.Broker.Services.GetRequiredService<AlertJobs>();

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var id = (await response.ReadAsync()).Request.Id;
        Assert.Equal("break_glass.issued", Kind(await receiver.NextAsync()));
        await jobs.SweepBreakGlassAsync();
        world.Broker.Clock.Advance(Duration.FromSeconds(3601));
        await jobs.SweepBreakGlassAsync();
        var reminder = await receiver.NextAsync();
        await jobs.SweepBreakGlassAsync();
        world.Broker.Clock.Advance(Duration.FromSeconds(3601));
        await jobs.SweepBreakGlassAsync();
        var second = await receiver.NextAsync();

        Assert.Equal("break_glass.review_reminder", Kind(reminder));
        Assert.True(AlertSignature.Verify(receiver.Key, reminder.Signature!, reminder.Body));
        Assert.Contains(id, reminder.Body, StringComparison.Ordinal);
        Assert.Equal("break_glass.review_reminder", Kind(second));
    }

    private static string? Kind((string? Signature, string Body) delivery)
    {
        using var json = JsonDocument.Parse(delivery.Body);
        return json.RootElement.GetProperty("kind").GetString();
    }
}
