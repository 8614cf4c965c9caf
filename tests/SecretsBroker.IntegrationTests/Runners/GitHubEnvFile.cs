namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// Reads a <c>$GITHUB_ENV</c> file the way the GitHub Actions runner does on Linux (its SetEnvFileCommand):
/// lines end at LF; <c>NAME=value</c> takes the rest of the line; <c>NAME&lt;&lt;DELIMITER</c> takes every
/// following line up to the first line equal to DELIMITER, joined by LF. A later entry for a name wins.
/// Throws where the runner would refuse the file.
/// </summary>
internal static class GitHubEnvFile
{
    public static Dictionary<string, string> Parse(string text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        // A file ending in LF has an empty last piece, which is no line.
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            if (equals >= 0 && (heredoc < 0 || equals < heredoc))
            {
                variables[line[..equals]] = line[(equals + 1)..];
                continue;
            }

            if (heredoc <= 0 || heredoc + 2 == line.Length)
            {
                throw new FormatException($"line {i + 1} is neither NAME=value nor NAME<<DELIMITER");
            }

            var name = line[..heredoc];
            var delimiter = line[(heredoc + 2)..];
            var value = new List<string>();
            for (i++; ; i++)
            {
                if (i >= count)
                {
                    throw new FormatException($"no line '{delimiter}' ends {name}");
                }

                if (lines[i] == delimiter)
                {
                    break;
                }

                value.Add(lines[i]);
            }

            variables[name] = string.Join('\n', value);
        }

        return variables;
    }
}
