using System.Text.RegularExpressions;
using SecretsBroker.IntegrationTests.Runners;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>The (METHOD, path) entries of README.md's "HTTP API" table, query strings left out.</summary>
internal static partial class ReadmeApiTable
{
    /// <summary>The jobs dashboard is a web page with its own routes, not part of the API.</summary>
    public const string Dashboard = "/hangfire";

    public static SortedSet<string> Operations()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryFiles.Root, "README.md"));
        var start = Array.IndexOf(lines, "## HTTP API");
        Assert.True(start >= 0, "README.md has no '## HTTP API' section");

        var rows = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2).ToList();
        Assert.NotEmpty(rows);

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var first = row.Split('|')[1].Trim();
            var entries = first.Split(',').Select(e => e.Trim()).ToList();
            if (entries is [var only] && only == $"`{Dashboard}`")
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var match = Entry().Match(entry);
                Assert.True(match.Success, $"README.md's HTTP API row does not read as `METHOD /path`: {entry}");
                found.Add($"{match.Groups["method"].Value} {PublishedDocument.Normalise(match.Groups["path"].Value)}");
            }
        }

        return found;
    }

    [GeneratedRegex(@"\A`(?<method>GET|PUT|POST|DELETE|PATCH) (?<path>/[^`?\s]*)(\?[^`\s]*)?`\z")]
    private static partial Regex Entry();
}
