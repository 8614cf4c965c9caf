using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>One scrape of <c>/metrics</c>, parsed into its series: a name, its labels and its value.</summary>
internal sealed partial class Scrape
{
    private Scrape(string text, IReadOnlyList<Series> series)
    {
        Text = text;
        All = series;
    }

    public string Text { get; }

    public IReadOnlyList<Series> All { get; }

    public static async Task<Scrape> OfAsync(Uri address, string? token = null)
    {
        using var client = new HttpClient { BaseAddress = address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static Scrape Parse(string text)
    {
        var series = new List<Series>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SeriesLine().Match(line);
            Assert.True(match.Success, $"not a series line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["k"].Value, m => m.Groups["v"].Value);
            series.Add(new Series(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return new Scrape(text, series);
    }

    /// <summary>The value of the one series named <paramref name="name"/> with exactly these labels; fails when it is absent.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var found = All.Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
        Assert.True(found.Count == 1, $"expected one series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"))}}}, found {found.Count}:\n{Text}");
        return found[0].Value;
    }

    /// <summary>The names of every metric family, as <c># TYPE</c> lines declare them.</summary>
    public IReadOnlySet<string> Families() =>
        Text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("""\A(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[^ ]+)( [0-9]+)?\z""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();
}

internal sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
