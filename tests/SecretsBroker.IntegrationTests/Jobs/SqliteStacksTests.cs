using System.Reflection;
using System.Runtime.CompilerServices;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.TestSupport;
using SQLitePCL;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// Two SQLite stacks in one process: Microsoft.Data.Sqlite (the broker's database) and sqlite-net
/// (under Hangfire.Storage.SQLite, the job file), on one SQLitePCLRaw, one provider and one native
/// e_sqlite3.
/// </summary>
public sealed class SqliteStacksTests
{
    private static readonly string[] SqliteAssemblies =
    [
        "Microsoft.Data.Sqlite", "SQLite-net", "Hangfire.Storage.SQLite",
        "SQLitePCLRaw.core", "SQLitePCLRaw.provider.e_sqlite3", "SQLitePCLRaw.batteries_v2",
    ];

    [Fact]
    public async Task The_broker_database_and_the_job_file_are_used_in_one_process_through_one_native_sqlite()
    {
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = "100" });
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        var monitoring = world.Broker.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await WaitForAsync(() => monitoring.SucceededListCount() > 0);

        string brokerSide;
        using (var broker = world.Broker.OpenRawDatabase())
        using (var version = broker.CreateCommand())
        {
            version.CommandText = "SELECT sqlite_version()";
            brokerSide = (string)version.ExecuteScalar()!;
        }

        string jobSide;
        using (var jobs = new SQLite.SQLiteConnection(world.Broker.JobStoragePath, SQLite.SQLiteOpenFlags.ReadOnly))
        {
            jobSide = jobs.ExecuteScalar<string>("SELECT sqlite_version()");
        }

        Assert.False(string.IsNullOrEmpty(lease.Lease.Id));
        Assert.Equal("e_sqlite3", raw.GetNativeLibraryName());
        Assert.Equal(raw.sqlite3_libversion().utf8_to_string(), brokerSide);
        Assert.Equal(brokerSide, jobSide);
        Assert.DoesNotContain(world.Broker.Logs.Lines, l => l.Contains(nameof(MissingMethodException), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Once_the_job_storage_is_open_the_sqlite_provider_cannot_be_replaced()
    {
        await using var world = await LeasingBroker.StartAsync();
        await WaitForAsync(() => world.Broker.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers().Count > 0);
        var replacement = CountingProvider.Create();

        raw.SetProvider(replacement);
        try
        {
            using var runner = world.Runner();
            await world.IssueAsync(runner, "deploy");

            // SetProvider asks a provider it takes for its version first: a frozen raw asks nothing.
            Assert.Equal(0, ((CountingProvider)(object)replacement).Calls);
        }
        finally
        {
            if (((CountingProvider)(object)replacement).Calls > 0)
            {
                raw.FreezeProvider(false);
                Batteries_V2.Init();
                raw.FreezeProvider();
            }
        }
    }

    [Fact]
    public void Every_method_of_both_sqlite_stacks_binds_to_the_one_SQLitePCLRaw_in_the_process()
    {
        var assemblies = SqliteAssemblies.Select(Assembly.Load).ToList();
        var unbound = new List<string>();
        var prepared = 0;
        foreach (var method in assemblies.SelectMany(a => a.GetTypes()).Where(t => !t.ContainsGenericParameters).SelectMany(Methods))
        {
            try
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
                prepared++;
            }
            catch (Exception e) when (e is MissingMemberException or TypeLoadException or BadImageFormatException)
            {
                unbound.Add($"{method.DeclaringType}.{method.Name}: {e.Message}");
            }
#pragma warning disable CA1031 // Delegate BeginInvoke/EndInvoke cannot be prepared on .NET (PlatformNotSupportedException); binding is what is checked.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        var pclVersions = assemblies.Where(a => a.GetName().Name!.StartsWith("SQLitePCLRaw.", StringComparison.Ordinal)).Select(a => a.GetName().Version).Distinct();

        Assert.Empty(unbound);
        Assert.True(prepared > 1000, $"only {prepared} methods prepared");
        Assert.Single(pclVersions);
    }

    private static IEnumerable<MethodBase> Methods(Type type)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return type.GetMethods(declared).Where(m => !m.IsAbstract && !m.ContainsGenericParameters).Cast<MethodBase>()
            .Concat(type.GetConstructors(declared));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition() && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>A provider that counts the calls it gets and hands them to the real e_sqlite3 one, so nothing breaks should raw take it.</summary>
    public class CountingProvider : DispatchProxy
    {
        private readonly ISQLite3Provider real = new SQLite3Provider_e_sqlite3();
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public static ISQLite3Provider Create() => DispatchProxy.Create<ISQLite3Provider, CountingProvider>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Interlocked.Increment(ref calls);
            return targetMethod!.Invoke(real, args);
        }
    }
}
