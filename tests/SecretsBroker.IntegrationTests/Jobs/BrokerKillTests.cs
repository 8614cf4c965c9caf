using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.Server.Alerts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// A broker process killed with SIGKILL (no shutdown code runs, the job file is left as a crash
/// leaves it) and started again on its data folder: what it had scheduled is done by the next
/// process, once.
/// </summary>
public sealed class BrokerKillTests
{
    [Fact]
    public async Task An_alert_retry_scheduled_before_the_broker_process_is_killed_is_delivered_once_by_the_next_process()
    {
        using var ci = CiTokenIssuer.GitHub();
        await using var receiver = await WebhookReceiver.StartAsync(refuseFirst: 1);
        using var folder = new ProcessFolder(BreakGlassWorld.Policy(ci.Repository));
        var settings = folder.Settings(ci.Settings, receiver.Settings(), new Dictionary<string, string?>
        {
            ["Alerts:RetryAfterSeconds"] = "3",
            ["Alerts:PollIntervalMilliseconds"] = "100",
        });

        string alertId;
        await using (var first = await BrokerProcess.StartAsync(folder.DataDirectory, settings))
        {
            using var oncall = first.Client(await OperatorTokenAsync(first));
            using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
            response.EnsureSuccessStatusCode();
            await receiver.NextRefusedAsync();

            // Killed once the refusal is recorded and the retry scheduled, seconds before it is due.
            alertId = (await folder.WaitForAlertAsync(a => a.Failures == 1)).Id;
            await first.KillAsync();
        }

        await using var second = await BrokerProcess.StartAsync(folder.DataDirectory, settings);
        var (signature, body) = await receiver.NextAsync();
        var delivered = await folder.WaitForAlertAsync(a => a.DeliveredAt is not null);

        // A second delivery (the alert claimed twice, or an attempt the first process had queued run as
        // well) would follow within a few polls of 100 ms and worker polls of 500 ms.
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(alertId, Field(body, "id"));
        Assert.True(AlertSignature.Verify(receiver.Key, signature!, body));
        Assert.False(receiver.HasMore, "the alert was delivered more than once");
        Assert.Equal((alertId, 1), (delivered.Id, delivered.Failures));
        Assert.DoesNotContain("database is locked", second.Output, StringComparison.Ordinal);
    }

    /// <summary>Stores the signing key the break-glass role mints with, and returns a new operator token; both through the API with the initial admin token.</summary>
    private static async Task<string> OperatorTokenAsync(BrokerProcess broker)
    {
        using var admin = broker.Client(broker.AdminToken ?? throw new InvalidOperationException("the broker printed no initial admin token"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{LeasingBroker.SigningKey}", new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = key.ExportPkcs8PrivateKeyPem() }));
        put.EnsureSuccessStatusCode();
        using var created = await admin.PostAsJsonAsync(Routes.Tokens, new CreateTokenRequest("oncall", ["operator"], null));
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<CreatedToken>())!.Token;
    }

    private static string? Field(string body, string name)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty(name).GetString();
    }
}
