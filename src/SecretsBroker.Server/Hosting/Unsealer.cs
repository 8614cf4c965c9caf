using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Database;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// Runs once before the broker serves. An existing database opens only with the master key that
/// made it: with any other key (or none) the broker stays sealed and writes nothing. A new database
/// gets a master key file, the schema, an initial admin token, and last the seal check — so a start
/// interrupted anywhere before that simply starts over.
/// </summary>
public sealed class Unsealer(
    IOptions<BrokerOptions> options,
    MasterKeySource keySource,
    IBrokerDatabase db,
    BrokerSeal seal,
    BrokerNode node,
    IServiceProvider services,
    IClock clock,
    ILogger<Unsealer> logger)
{
    /// <summary>The outcome of start-up: whether the broker is sealed, and the initial admin token on first start.</summary>
    public sealed record Outcome(bool Sealed, string? InitialAdminToken);

    private const string FirstKeyPurpose = "SecretsBroker.FirstStart";

    public async Task<Outcome> UnsealAsync(CancellationToken ct)
    {
        // Before anything is opened or created: the data of a moved store lives on elsewhere now.
        if (await db.ReadMovedToAsync(ct) is { } movedTo)
        {
            throw new InvalidOperationException($"The store {db.Location} was moved to {movedTo} by migrate-store; start the broker on that store instead. A moved store never serves again.");
        }

        CreateDataDirectory(options.Value.DataDirectory);
        string? storedCheck;
        await using (await db.HoldFirstStartAsync(ct))
        {
            storedCheck = await db.ReadSealCheckAsync(ct);
            if (storedCheck is null)
            {
                return await InitializeAsync(ct);
            }
        }

        return await OpenAsync(storedCheck, ct);
    }

    private async Task<Outcome> OpenAsync(string storedCheck, CancellationToken ct)
    {
        var (key, problem) = keySource.Read();
        if (key is null)
        {
            return StaySealed(problem!);
        }

        if (!SealCheck.Matches(key, storedCheck))
        {
            return StaySealed($"The master key does not match the database {db.Location}.");
        }

        node.Start(options.Value.DataDirectory);
        await MigrateAsync(ct);
        Unseal(key);
        return new Outcome(false, null);
    }

    private async Task<Outcome> InitializeAsync(CancellationToken ct)
    {
        MasterKey key;
        if (keySource.IsConfigured)
        {
            var (existing, problem) = keySource.Read();
            if (existing is null)
            {
                return StaySealed(problem!);
            }

            node.Start(options.Value.DataDirectory);
            key = existing;
        }
        else
        {
            // The folder is taken before anything is written to it: two first starts cannot both make a key.
            node.Start(options.Value.DataDirectory);
            key = keySource.CreateFile();
            BrokerLog.MasterKeyCreated(logger, options.Value.MasterKeyPath);
        }

        await MigrateAsync(ct);
        Unseal(key);

        // The key ring's first key, made now under the first-start hold: nodes of a shared store that
        // start later read it, instead of each making a first key of its own that the others would
        // not see until their key ring's next refresh.
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector(FirstKeyPurpose).Protect([0]);
        var tokens = services.GetRequiredService<OperatorTokenService>();
        var initial = await tokens.CreateAsync("admin-initial", [Scopes.Admin], OperatorTokenService.MaxTtl, AuditContext.System, ct);
        BrokerLog.InitialTokenCreated(logger, initial.Value.Token.Id);
        await db.WriteSealCheckAsync(SealCheck.Compute(key), clock.GetCurrentInstant(), ct);
        return new Outcome(false, initial.Value.Value);
    }

    private async Task MigrateAsync(CancellationToken ct)
    {
        foreach (var script in await db.MigrateAsync(ct))
        {
            BrokerLog.MigrationApplied(logger, script);
        }
    }

    private void Unseal(MasterKey key)
    {
        seal.Unseal(key);
        BrokerLog.Unsealed(logger, db.Location);
    }

    private Outcome StaySealed(string reason)
    {
        seal.KeepSealed(reason);
        BrokerLog.Sealed(logger, reason);
        return new Outcome(true, null);
    }

    private static void CreateDataDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
