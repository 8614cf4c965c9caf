using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>A hidden job of a GitLab CI/CD component with its inputs filled in: what a job extending it inherits.</summary>
internal sealed record GitLabJobTemplate(
    IReadOnlyDictionary<string, string> IdTokenAudiences,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyList<string> BeforeScript,
    IReadOnlyList<string> AfterScript);

/// <summary>
/// A GitLab CI/CD component file read as GitLab reads it: a header document (<c>spec: inputs:</c>), then
/// the configuration, in which every <c>$[[ inputs.NAME ]]</c> is replaced by the input's value or default.
/// As in GitLab, an input that is not declared, or a declared one without default that is not given, is an
/// error; replacement happens in the parsed values, so a value is never read as YAML.
/// </summary>
internal sealed partial class GitLabComponent
{
    private readonly YamlMappingNode configuration;

    private GitLabComponent(IReadOnlyDictionary<string, string?> inputs, YamlMappingNode configuration)
    {
        Inputs = inputs;
        this.configuration = configuration;
    }

    /// <summary>The declared inputs and their defaults (null: required).</summary>
    public IReadOnlyDictionary<string, string?> Inputs { get; }

    public static GitLabComponent Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        Assert.Equal(2, yaml.Documents.Count);
        var header = (YamlMappingNode)yaml.Documents[0].RootNode;
        var spec = (YamlMappingNode)header.Children[new YamlScalarNode("spec")];
        var inputs = ((YamlMappingNode)spec.Children[new YamlScalarNode("inputs")]).Children.ToDictionary(
            input => ((YamlScalarNode)input.Key).Value!,
            input => ((YamlMappingNode)input.Value).Children.TryGetValue(new YamlScalarNode("default"), out var value) ? ((YamlScalarNode)value).Value ?? "" : null,
            StringComparer.Ordinal);
        return new GitLabComponent(inputs, (YamlMappingNode)yaml.Documents[1].RootNode);
    }

    /// <summary>The job <paramref name="name"/> with <paramref name="given"/> (the <c>include: inputs:</c>) filled in.</summary>
    public GitLabJobTemplate Job(string name, IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        foreach (var input in given.Keys)
        {
            Assert.True(Inputs.ContainsKey(input), $"unknown input '{input}'");
        }

        var values = Inputs.ToDictionary(
            input => input.Key,
            input => given.GetValueOrDefault(input.Key) ?? input.Value ?? throw new InvalidDataException($"the input '{input.Key}' is required"),
            StringComparer.Ordinal);
        string Fill(YamlNode node) => InputReference().Replace(((YamlScalarNode)node).Value ?? "", match =>
            values.TryGetValue(match.Groups["name"].Value, out var value) ? value : throw new InvalidDataException($"unknown input '{match.Groups["name"].Value}'"));

        var job = (YamlMappingNode)configuration.Children[new YamlScalarNode(name)];
        YamlNode? Child(string key) => job.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        var idTokens = ((YamlMappingNode?)Child("id_tokens"))?.Children.ToDictionary(
            token => ((YamlScalarNode)token.Key).Value!,
            token => Fill(((YamlMappingNode)token.Value).Children[new YamlScalarNode("aud")]),
            StringComparer.Ordinal) ?? [];
        var variables = ((YamlMappingNode?)Child("variables"))?.Children.ToDictionary(
            variable => ((YamlScalarNode)variable.Key).Value!,
            variable => Fill(variable.Value),
            StringComparer.Ordinal) ?? [];
        List<string> Script(string key) => ((YamlSequenceNode?)Child(key))?.Children.Select(Fill).ToList() ?? [];
        return new GitLabJobTemplate(idTokens, variables, Script("before_script"), Script("after_script"));
    }

    [GeneratedRegex(@"\$\[\[\s*inputs\.(?<name>[A-Za-z0-9_-]+)\s*\]\]")]
    private static partial Regex InputReference();
}
