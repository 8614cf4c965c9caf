using YamlDotNet.RepresentationModel;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>One input of a GitHub action, as its action.yml declares it.</summary>
internal sealed record GitHubActionInput(string Name, bool Required, string? Default);

/// <summary>
/// What the GitHub Actions runner reads from a JavaScript action's action.yml: the inputs (name, required,
/// default) and <c>runs</c> (<c>using</c>, <c>main</c>, <c>post</c>, <c>post-if</c>). Loaded with a real YAML
/// parser, so a file the runner could not read fails here too.
/// </summary>
internal sealed class GitHubActionMetadata
{
    private GitHubActionMetadata(IReadOnlyList<GitHubActionInput> inputs, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string> runs)
    {
        Inputs = inputs;
        Outputs = outputs;
        Runs = runs;
    }

    public IReadOnlyList<GitHubActionInput> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The scalars under <c>runs:</c>, by key.</summary>
    public IReadOnlyDictionary<string, string> Runs { get; }

    public static GitHubActionMetadata Load(string folder)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(folder, "action.yml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)Assert.Single(yaml.Documents).RootNode;
        var inputs = Mapping(root, "inputs").Children.Select(input =>
        {
            var fields = (YamlMappingNode)input.Value;
            return new GitHubActionInput(
                ((YamlScalarNode)input.Key).Value!,
                Scalar(fields, "required") == "true",
                Scalar(fields, "default"));
        }).ToList();
        var outputs = Mapping(root, "outputs").Children.Select(output => ((YamlScalarNode)output.Key).Value!).ToList();
        var runs = Mapping(root, "runs").Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value!,
            pair => ((YamlScalarNode)pair.Value).Value ?? "",
            StringComparer.Ordinal);
        return new GitHubActionMetadata(inputs, outputs, runs);
    }

    /// <summary>
    /// The INPUT_* variables the runner gives each of the action's steps: every declared input, the value of
    /// <paramref name="with"/> or else its default (or empty), named INPUT_ + the name upper-cased with spaces
    /// as '_' (as the runner's handlers name them).
    /// </summary>
    public Dictionary<string, string> InputVariables(IReadOnlyDictionary<string, string> with)
    {
        ArgumentNullException.ThrowIfNull(with);
        foreach (var name in with.Keys)
        {
            Assert.True(Inputs.Any(input => input.Name == name), $"the workflow passes '{name}', which action.yml does not declare");
        }

        return Inputs.ToDictionary(
            input => "INPUT_" + input.Name.Replace(' ', '_').ToUpperInvariant(),
            input => with.GetValueOrDefault(input.Name) ?? input.Default ?? "",
            StringComparer.Ordinal);
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new InvalidDataException($"action.yml has no mapping '{key}'");

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? ((YamlScalarNode)child).Value : null;
}
