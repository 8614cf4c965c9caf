using System.Text;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

/// <summary>A valid policy with known line numbers, and the means to break one line of it at a time.</summary>
internal static class PolicyTexts
{
    public const string FileName = "policy.yaml";

    /// <summary>Line numbers in the comments: validation tests name the line and column they expect.</summary>
    public static readonly string[] ValidLines =
    [
        "roles:",                                                                          // 1
        "  deploy-api:",                                                                   // 2
        "    provider: jwt",                                                               // 3
        "    secret: deploy-signing-key",                                                  // 4
        "    settings: { audience: deploy-api }",                                          // 5
        "    default_ttl: 10m",                                                            // 6
        "    max_ttl: 1h",                                                                 // 7
        "    renewable: true",                                                             // 8
        "rules:",                                                                          // 9
        "  - name: app-main-deploy",                                                       // 10
        "    issuer: github",                                                              // 11
        "    claims: { repository: acme/app, ref: refs/heads/main, environment: \"prod*\" }", // 12
        "    roles: [deploy-api]",                                                         // 13
        "    steps: [\"deploy\", \"migrate-*\"]",                                          // 14
        "    purposes: [\"*\"]",                                                           // 15
        "    max_ttl: 30m",                                                                // 16
    ];

    public static string Valid => Join(ValidLines);

    /// <summary>The valid policy with line <paramref name="line"/> (from 1) replaced; null deletes it.</summary>
    public static string WithLine(int line, string? replacement)
    {
        var lines = ValidLines.ToList();
        if (replacement is null)
        {
            lines.RemoveAt(line - 1);
        }
        else
        {
            lines[line - 1] = replacement;
        }

        return Join(lines);
    }

    public static PolicyParseResult Parse(string text) => PolicyParser.Parse(FileName, Encoding.UTF8.GetBytes(text));

    public static PolicyDocument ParseValid(string text)
    {
        var result = Parse(text);
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        return result.Document!;
    }

    private static string Join(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";
}
