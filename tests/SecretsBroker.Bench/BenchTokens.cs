namespace SecretsBroker.Bench;

/// <summary>One CI job's run id and its OIDC token, as <see cref="BenchSetup"/> wrote them.</summary>
internal sealed record BenchToken(string Run, string Token)
{
    public static async Task<IReadOnlyList<BenchToken>> ReadAsync(string path)
    {
        var lines = await File.ReadAllLinesAsync(path);
        return lines.Where(l => l.Length > 0).Select(l => l.Split('\t') is [var run, var token]
            ? new BenchToken(run, token)
            : throw new InvalidDataException($"{path}: expected 'run<TAB>token' lines")).ToList();
    }
}
