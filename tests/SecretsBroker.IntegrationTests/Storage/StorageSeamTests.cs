using System.Reflection;
using System.Text.RegularExpressions;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.IntegrationTests.Storage;

/// <summary>
/// The line between Core and Storage that a second store stands on: the server wires the store in one
/// call and talks to it through Core's interfaces, and no store writes a word of the audit trail.
/// </summary>
public sealed partial class StorageSeamTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void No_server_source_file_names_a_store_but_the_one_that_registers_it_the_settings_that_choose_it_and_the_move_between_them()
    {
        string[] chooser = [Path.Combine("Hosting", "StoreRegistration.cs"), Path.Combine("Hosting", "StorageOptions.cs"), Path.Combine("Migration", "MigrateStoreCommand.cs")];
        var offending = SourceLines("src/SecretsBroker.Server")
            .Where(l => l.Text.Contains("sqlite", StringComparison.OrdinalIgnoreCase) || l.Text.Contains("SecretsBroker.Storage.", StringComparison.Ordinal)
                || l.Text.Contains("PostgresStorage", StringComparison.Ordinal))
            .Where(l => !chooser.Any(c => l.File.EndsWith(c, StringComparison.Ordinal)))
            .Where(l => l.Text.Trim() != "using SecretsBroker.Storage.KeyRing;")
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.Empty(offending);
        Assert.Single(SourceLines("src/SecretsBroker.Server"), l => l.Text.Contains("AddSqliteStorage(", StringComparison.Ordinal));
        Assert.Single(SourceLines("src/SecretsBroker.Server"), l => l.Text.Contains("AddPostgresStorage(", StringComparison.Ordinal));
    }

    [Fact]
    public void No_server_type_takes_or_holds_a_storage_type()
    {
        var server = typeof(Server.Hosting.Unsealer).Assembly;
        var offending = server.GetTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).SelectMany(c => c.GetParameters()).Select(p => (t, p.ParameterType))
                .Concat(t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static).Select(f => (t, f.FieldType))))
            .Where(x => x.Item2.Namespace is { } ns && (ns.StartsWith("SecretsBroker.Storage", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)))
            .Select(x => $"{x.t.FullName} uses {x.Item2.FullName}")
            .ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public void No_store_builds_an_audit_record_or_writes_an_action_name_or_a_revoke_reason_of_its_own()
    {
        var reasons = typeof(RevokeReasons).GetFields().Select(f => $"\"{f.GetRawConstantValue()}\"").ToList();
        var offending = SourceLines("src/SecretsBroker.Storage")
            .Where(l => l.Text.Contains("new AuditRecord(", StringComparison.Ordinal)
                || l.Text.Contains("with { Reason", StringComparison.Ordinal)
                || l.Text.Contains("AuditActions.", StringComparison.Ordinal)
                || ActionName().IsMatch(l.Text)
                || reasons.Any(r => l.Text.Contains(r, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.Empty(offending);
    }

    private static IEnumerable<(string File, int Line, string Text)> SourceLines(string project) =>
        Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select((text, i) => (Path.GetRelativePath(Root, f), i + 1, text)));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SecretsBroker.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (SecretsBroker.sln) was not found above the test binaries.");
    }

    // An audit action is "noun.verb" in lower case, e.g. "lease.expire"; SQL never quotes one.
    [GeneratedRegex("\"[a-z_]+\\.[a-z_]+\"")]
    private static partial Regex ActionName();
}
