using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Cli;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.TestSupport;

/// <summary>
/// The real broker on a free loopback port, with its own temp SQLite file, master key and fake
/// clock. Every integration test starts one of these; none builds its own host.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly bool ownsDirectory;
    private bool stopped;

    private TestBroker(WebApplication app, string dataDirectory, bool ownsDirectory, FakeClock clock, CapturedLogs logs, bool isSealed, string? adminToken)
    {
        this.app = app;
        this.ownsDirectory = ownsDirectory;
        DataDirectory = dataDirectory;
        Clock = clock;
        Logs = logs;
        IsSealed = isSealed;
        AdminToken = adminToken;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public Uri Address { get; }

    /// <summary>The broker's services, for looking behind the API (e.g. decrypting with the vault after a restart).</summary>
    public IServiceProvider Services => app.Services;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "broker.db");

    public string MasterKeyPath => Path.Combine(DataDirectory, "master.key");

    /// <summary>Hangfire's job file; its -wal and -shm sit beside it while it is open.</summary>
    public string JobStoragePath => Path.Combine(DataDirectory, "jobs.db");

    public FakeClock Clock { get; }

    public CapturedLogs Logs { get; }

    public bool IsSealed { get; }

    /// <summary>The initial admin token, printed on first start only (null on a restart or when sealed).</summary>
    public string? AdminToken { get; }

    public static async Task<TestBroker> StartAsync(TestBrokerOptions? options = null)
    {
        options ??= new TestBrokerOptions();
        var ownsDirectory = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "sb-test-" + Guid.NewGuid().ToString("N"));
        var clock = new FakeClock(options.Start);
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>(options.Settings)
        {
            ["Broker:DataDirectory"] = dataDirectory,
            [MasterKeySource.EnvironmentVariable] = options.MasterKeyBase64,
        };
        var app = SecretsBroker.Server.Program.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.Replace(ServiceDescriptor.Singleton<IClock>(clock));
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
        });
        try
        {
            var outcome = await app.Services.GetRequiredService<Unsealer>().UnsealAsync(CancellationToken.None);
            await app.StartAsync();
            return new TestBroker(app, dataDirectory, ownsDirectory, clock, logs, outcome.Sealed, outcome.InitialAdminToken);
        }
        catch
        {
            // A broker that refuses to start (what some tests prove) leaves no host, connection or folder behind.
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (ownsDirectory && Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Stops this broker and starts another on the same folder, as after a restart.</summary>
    public async Task<TestBroker> RestartAsync(TestBrokerOptions? options = null)
    {
        await StopAsync();
        return await StartAsync((options ?? new TestBrokerOptions()) with { DataDirectory = DataDirectory });
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient Admin() => Client(AdminToken ?? throw new InvalidOperationException("This broker has no initial admin token."));

    /// <summary>A new operator token with the given scopes, made through the API.</summary>
    public async Task<string> CreateTokenAsync(string name, params string[] scopes)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync(Routes.Tokens, new CreateTokenRequest(name, scopes, null));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedToken>())!.Token;
    }

    /// <summary>Runs sbctl in-process against this broker with <paramref name="stdin"/> as its input and the token given through the environment.</summary>
    public async Task<SbctlRun> SbctlWithInputAsync(string? token, string stdin, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SECRETSBROKER_ADDR"] = Address.ToString().TrimEnd('/'),
            ["SECRETSBROKER_TOKEN"] = token,
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin);
        var exit = await Sbctl.RunAsync(args, stdout, stderr, input, name => environment.GetValueOrDefault(name));
        return new SbctlRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs sbctl in-process against this broker, with empty input and the token given through the environment.</summary>
    public Task<SbctlRun> SbctlAsync(string? token, params string[] args) => SbctlWithInputAsync(token, "", args);

    /// <summary>A connection straight to the SQLite file, as an attacker with disk access would have.</summary>
    public SqliteConnection OpenRawDatabase()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (ownsDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
